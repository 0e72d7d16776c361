import { randomUUID } from 'node:crypto';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../clientConfig';
import { applyEvents } from './applyEvents';
import { IncidentStoreError, IncidentVersionConflictError } from './errors';
import type { ChangeMeta, IncidentEvent } from './incidentEvents';
import type {
  ActionRecord,
  IncidentAuditEntry,
  IncidentHead,
  IncidentRecord,
} from './incidentRecord';
import { INCIDENT_STATUSES } from './incidentStatus';
import type { IncidentListFilter, IncidentStore } from './incidentStore';
import { INCIDENT_ITEM, INCIDENT_TABLE, incidentPartition, sequenceKey } from './incidentTable';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB allows 100 items per transaction; the head takes one. */
const MAX_ITEMS_PER_CHANGE = 100;

/**
 * Incidents in one DynamoDB table (see incidentTable.ts). Every append is one transaction: the
 * head is rewritten on condition that its version is still the one read, and each new audit
 * entry / action record is put on condition that it does not exist. Either all of a change
 * lands or none of it, and two writers can never both win.
 *
 * Nested payloads (plans, undo data, evidence) are stored as JSON strings: they are opaque to
 * queries, and arbitrary documents (pod specs) would otherwise hit DynamoDB's nesting limits.
 */
export class DynamoIncidentStore implements IncidentStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
  }

  async head(key: string): Promise<IncidentHead | null> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: {
          [INCIDENT_TABLE.partitionKey]: incidentPartition(key),
          [INCIDENT_TABLE.sortKey]: INCIDENT_ITEM.head,
        },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(Item.body as string) as IncidentHead) : null;
  }

  async get(key: string): Promise<IncidentRecord | null> {
    let incident: IncidentHead | null = null;
    const actions: ActionRecord[] = [];
    const audit: IncidentAuditEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INCIDENT_TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': incidentPartition(key) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = item[INCIDENT_TABLE.sortKey] as string;
        if (sk === INCIDENT_ITEM.head) incident = JSON.parse(item.body as string);
        else if (sk.startsWith(INCIDENT_ITEM.auditPrefix)) audit.push(auditFromItem(item));
        else if (sk.startsWith(INCIDENT_ITEM.actionPrefix))
          actions.push(JSON.parse(item.body as string));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    // The sort key already orders both; sorting again keeps the contract independent of it.
    audit.sort((a, b) => a.seq - b.seq);
    actions.sort((a, b) => a.seq - b.seq || a.stepKey.localeCompare(b.stepKey));
    return incident ? { incident, actions, audit } : null;
  }

  async list(filter: IncidentListFilter = {}): Promise<IncidentHead[]> {
    const statuses = filter.status ? [filter.status] : INCIDENT_STATUSES;
    const pages = await Promise.all(
      statuses.map((status) => this.listStatus(status, filter.limit)),
    );
    return pages
      .flat()
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.key.localeCompare(b.key))
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY);
  }

  private async listStatus(status: string, limit?: number): Promise<IncidentHead[]> {
    const heads: IncidentHead[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INCIDENT_TABLE.statusIndex,
          KeyConditionExpression: '#gpk = :status',
          ExpressionAttributeNames: { '#gpk': INCIDENT_TABLE.statusIndexPartitionKey },
          ExpressionAttributeValues: { ':status': statusPartition(status) },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) heads.push(JSON.parse(item.body as string));
      start = page.LastEvaluatedKey;
    } while (start && (limit === undefined || heads.length < limit));
    return heads;
  }

  async append(
    key: string,
    base: IncidentHead | null,
    events: readonly IncidentEvent[],
    meta: ChangeMeta,
  ): Promise<IncidentHead> {
    // The events were decided on `base`; the head's condition rejects them if it moved since.
    const expectedVersion = base?.version ?? 0;
    const applied = applyEvents(base, key, events, meta);
    const change = randomUUID();
    const items: TransactItem[] = [
      this.headPut(applied.head, expectedVersion),
      ...applied.audit.map((entry) => this.auditPut(key, entry, change)),
      ...applied.actions.map((action) => this.actionPut(key, action)),
    ];
    if (items.length > MAX_ITEMS_PER_CHANGE) {
      throw new IncidentStoreError(
        `one change to incident ${key} writes ${items.length} items; DynamoDB allows ${MAX_ITEMS_PER_CHANGE}`,
      );
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
      ) {
        // A retried request whose first attempt did land fails its own conditions. DynamoDB's
        // ClientRequestToken normally absorbs that; checking the entry covers endpoints that
        // ignore the token (moto), so a landed change is never reported as a conflict.
        if (await this.landed(key, expectedVersion + 1, change)) return applied.head;
        throw new IncidentVersionConflictError(key, expectedVersion, { cause: error });
      }
      throw error;
    }
    return applied.head;
  }

  private async landed(key: string, seq: number, change: string): Promise<boolean> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: {
          [INCIDENT_TABLE.partitionKey]: incidentPartition(key),
          [INCIDENT_TABLE.sortKey]: `${INCIDENT_ITEM.auditPrefix}${sequenceKey(seq)}`,
        },
        ConsistentRead: true,
      }),
    );
    return Item?.change === change;
  }

  private headPut(head: IncidentHead, expectedVersion: number): TransactItem {
    const t = INCIDENT_TABLE;
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          [t.partitionKey]: incidentPartition(head.key),
          [t.sortKey]: INCIDENT_ITEM.head,
          key: head.key,
          id: head.id,
          status: head.status,
          version: head.version,
          updatedAt: head.updatedAt,
          [t.statusIndexPartitionKey]: statusPartition(head.status),
          [t.statusIndexSortKey]: `${head.updatedAt}#${head.key}`,
          body: JSON.stringify(head),
        },
        ...(expectedVersion === 0
          ? {
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': t.partitionKey },
            }
          : {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': expectedVersion },
            }),
      },
    };
  }

  private auditPut(key: string, entry: IncidentAuditEntry, change: string): TransactItem {
    return this.newItem(key, `${INCIDENT_ITEM.auditPrefix}${sequenceKey(entry.seq)}`, {
      change,
      seq: entry.seq,
      at: entry.at,
      actor: entry.actor,
      type: entry.type,
      summary: entry.summary,
      data: JSON.stringify(entry.data),
    });
  }

  private actionPut(key: string, action: ActionRecord): TransactItem {
    const sk = `${INCIDENT_ITEM.actionPrefix}${sequenceKey(action.seq)}#${action.stepKey}`;
    return this.newItem(key, sk, {
      seq: action.seq,
      action: action.action,
      status: action.status,
      body: JSON.stringify(action),
    });
  }

  /** Audit entries and action records are written once and never changed. */
  private newItem(key: string, sk: string, attributes: Record<string, unknown>): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          [INCIDENT_TABLE.partitionKey]: incidentPartition(key),
          [INCIDENT_TABLE.sortKey]: sk,
          ...attributes,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': INCIDENT_TABLE.partitionKey },
      },
    };
  }
}

function statusPartition(status: string): string {
  return `STATUS#${status}`;
}

function auditFromItem(item: Record<string, unknown>): IncidentAuditEntry {
  return {
    seq: item.seq as number,
    at: item.at as string,
    actor: item.actor as string,
    type: item.type as string,
    summary: item.summary as string,
    data: JSON.parse((item.data as string | undefined) ?? '{}'),
  };
}

/** A store over the named table with the shared client settings (adaptive retry, AWS_ENDPOINT_URL). */
export function createDynamoIncidentStore(options: {
  tableName: string;
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}): DynamoIncidentStore {
  const client = new DynamoDBClient({
    ...awsClientConfig({ region: options.region, endpoint: options.endpoint }),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  return new DynamoIncidentStore({ client, tableName: options.tableName });
}
