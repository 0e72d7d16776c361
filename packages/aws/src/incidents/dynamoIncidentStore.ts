import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ActionRecord,
  ChangeMeta,
  IncidentAuditEntry,
  IncidentEvent,
  IncidentHead,
  IncidentListFilter,
  IncidentRecord,
  IncidentStore,
} from '@tourniquet/core';
import {
  applyEvents,
  higherSeverity,
  INCIDENT_STATUSES,
  IncidentStoreError,
  IncidentVersionConflictError,
} from '@tourniquet/core';
import { awsClientConfig } from '../clientConfig';
import {
  INCIDENT_ITEM,
  INCIDENT_TABLE,
  incidentPartition,
  STATUS_SHARDS,
  sequenceKey,
} from './incidentTable';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB allows 100 items per transaction; the head takes one. */
const MAX_ITEMS_PER_CHANGE = 100;
/** Heads read at once when listing. */
const LIST_READ_CONCURRENCY = 16;
const SINGLE_WRITE_ATTEMPTS = 10;

/** What the store read beside a head: the tallies merged into it and when its status was set. */
interface HeadReading {
  tallies: Tallies;
  statusSince: string;
}

interface Tallies {
  findings: Record<string, { deliveries: number; count: number; lastSeen: string }>;
  joined: Record<string, number>;
}

/**
 * Incidents in one DynamoDB table (see incidentTable.ts). A change is one transaction: the
 * head is rewritten on condition that its version is still the one read, and each new audit
 * entry / action record is put on condition that it does not exist. Either all of a change
 * lands or none of it, and two writers can never both win.
 *
 * Except the hot case: another delivery of a finding the incident already has, and a finding
 * joining an execution it already records. Those change no status, plan or severity, so they
 * do not rewrite the head: one conditional put of a delivery item (keyed by the EventBridge id,
 * so a redelivery writes nothing) and counters updated with ADD on a tally item. A burst of
 * findings on one pod then never contends on the head's version. `head` and `get` add the
 * tallies to the head; the audit trail has the delivery items' own record, not an entry each.
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

  /** Heads this store returned, with what was merged into them (see `append`). */
  private readonly readings = new WeakMap<IncidentHead, HeadReading>();

  async head(key: string): Promise<IncidentHead | null> {
    const [{ Item }, tallies] = await Promise.all([
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: {
            [INCIDENT_TABLE.partitionKey]: incidentPartition(key),
            [INCIDENT_TABLE.sortKey]: INCIDENT_ITEM.head,
          },
          ConsistentRead: true,
        }),
      ),
      this.tallies(key),
    ]);
    return Item ? this.withTallies(Item, tallies) : null;
  }

  private async tallies(key: string): Promise<Tallies> {
    const tallies: Tallies = { findings: {}, joined: {} };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :tally)',
          ExpressionAttributeNames: {
            '#pk': INCIDENT_TABLE.partitionKey,
            '#sk': INCIDENT_TABLE.sortKey,
          },
          ExpressionAttributeValues: {
            ':pk': incidentPartition(key),
            ':tally': INCIDENT_ITEM.tallyPrefix,
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) addTally(tallies, item);
      start = page.LastEvaluatedKey;
    } while (start);
    return tallies;
  }

  /** The head item's body plus the repeat sightings and joins counted beside it. */
  private withTallies(item: Record<string, unknown>, tallies: Tallies): IncidentHead {
    const head = JSON.parse(item.body as string) as IncidentHead;
    for (const [id, t] of Object.entries(tallies.findings)) {
      const finding = head.findings[id];
      if (!finding) continue;
      finding.deliveries += t.deliveries;
      finding.count = Math.max(finding.count, t.count);
      if (t.lastSeen > finding.lastSeen) finding.lastSeen = t.lastSeen;
    }
    for (const execution of head.executions)
      execution.joined += tallies.joined[execution.name] ?? 0;
    this.readings.set(head, {
      tallies,
      statusSince: (item.statusSince as string | undefined) ?? head.updatedAt,
    });
    return head;
  }

  async get(key: string): Promise<IncidentRecord | null> {
    let headItem: Record<string, unknown> | null = null;
    const tallies: Tallies = { findings: {}, joined: {} };
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
        if (sk === INCIDENT_ITEM.head) headItem = item;
        else if (sk.startsWith(INCIDENT_ITEM.tallyPrefix)) addTally(tallies, item);
        else if (sk.startsWith(INCIDENT_ITEM.auditPrefix)) audit.push(auditFromItem(item));
        else if (sk.startsWith(INCIDENT_ITEM.actionPrefix))
          actions.push(JSON.parse(item.body as string));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    // The sort key already orders both; sorting again keeps the contract independent of it.
    audit.sort((a, b) => a.seq - b.seq);
    actions.sort((a, b) => a.seq - b.seq || a.stepKey.localeCompare(b.stepKey));
    return headItem ? { incident: this.withTallies(headItem, tallies), actions, audit } : null;
  }

  async list(filter: IncidentListFilter = {}): Promise<IncidentHead[]> {
    const statuses = filter.status ? [filter.status] : INCIDENT_STATUSES;
    // A set: an incident whose status changes while the shards are read may be in two.
    const keys = [
      ...new Set(
        (
          await Promise.all(
            statuses.flatMap((status) =>
              Array.from({ length: STATUS_SHARDS }, (_, shard) => this.listShard(status, shard)),
            ),
          )
        ).flat(),
      ),
    ];
    // The index holds keys only: the heads are read from the table (consistently).
    const heads: IncidentHead[] = [];
    for (let i = 0; i < keys.length; i += LIST_READ_CONCURRENCY) {
      const batch = await Promise.all(
        keys.slice(i, i + LIST_READ_CONCURRENCY).map((key) => this.head(key)),
      );
      for (const head of batch)
        if (head && (!filter.status || head.status === filter.status)) heads.push(head);
    }
    return heads
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.key.localeCompare(b.key))
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY);
  }

  private async listShard(status: string, shard: number): Promise<string[]> {
    const keys: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INCIDENT_TABLE.statusIndex,
          KeyConditionExpression: '#gpk = :status',
          ExpressionAttributeNames: { '#gpk': INCIDENT_TABLE.statusIndexPartitionKey },
          ExpressionAttributeValues: { ':status': statusPartition(status, shard) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const pk = item[INCIDENT_TABLE.partitionKey] as string;
        keys.push(pk.slice(incidentPartition('').length));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  }

  async append(
    key: string,
    base: IncidentHead | null,
    events: readonly IncidentEvent[],
    meta: ChangeMeta,
  ): Promise<IncidentHead> {
    if (base && isRepeatSighting(base, events)) return this.appendSighting(key, base, events, meta);
    // The events were decided on `base`; the head's condition rejects them if it moved since.
    const expectedVersion = base?.version ?? 0;
    const applied = applyEvents(base, key, events, meta);
    const reading = base ? this.readings.get(base) : undefined;
    const statusSince =
      base && base.status === applied.head.status ? (reading?.statusSince ?? meta.at) : meta.at;
    const change = randomUUID();
    const items: TransactItem[] = [
      this.headPut(withoutTallies(applied.head, reading?.tallies), expectedVersion, statusSince),
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
      // TransactionConflict: another transaction held one of the items (real DynamoDB under
      // concurrency); nothing of this one landed, so it is retried like a stale version.
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.some(
          (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
        )
      ) {
        // A retried request whose first attempt did land fails its own conditions. DynamoDB's
        // ClientRequestToken normally absorbs that; checking the entry covers endpoints that
        // ignore the token (moto), so a landed change is never reported as a conflict.
        if (await this.landed(key, expectedVersion + 1, change)) return applied.head;
        throw new IncidentVersionConflictError(key, expectedVersion, { cause: error });
      }
      throw error;
    }
    const head = applied.head;
    this.readings.set(head, { tallies: reading?.tallies ?? EMPTY_TALLIES, statusSince });
    return head;
  }

  /**
   * Repeat sightings without touching the head: per event a delivery item put once, then the
   * tally counters. A redelivered event (its delivery item exists) counts nothing.
   */
  private async appendSighting(
    key: string,
    base: IncidentHead,
    events: readonly IncidentEvent[],
    meta: ChangeMeta,
  ): Promise<IncidentHead> {
    const head = structuredClone(base);
    for (const event of events) {
      if (event.type === 'finding-seen') {
        const delivery = event.eventId ?? randomUUID();
        const fresh = await this.putOnce(deliveryKey(key, delivery), {
          at: meta.at,
          actor: meta.actor,
          findingId: event.finding.id,
          count: event.finding.count,
          lastSeen: event.finding.lastSeen,
        });
        if (!fresh) continue;
        await this.tallySighting(key, event.finding);
        const finding = head.findings[event.finding.id];
        if (finding) {
          finding.deliveries += 1;
          finding.count = Math.max(finding.count, event.finding.count);
          if (event.finding.lastSeen > finding.lastSeen) finding.lastSeen = event.finding.lastSeen;
        }
      } else if (event.type === 'execution-joined') {
        await this.retryingConflicts(() =>
          this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: this.itemKey(key, `${INCIDENT_ITEM.tallyPrefix}X#${event.name}`),
              UpdateExpression: 'SET execution = :name ADD joined :one',
              ExpressionAttributeValues: { ':name': event.name, ':one': 1 },
            }),
          ),
        );
        const execution = head.executions.find((e) => e.name === event.name);
        if (execution) execution.joined += 1;
      }
    }
    return head;
  }

  /**
   * Puts an item unless it exists; false when it did (a redelivery). A retried request whose
   * first attempt landed fails its own condition: the writer token tells that apart.
   */
  private async putOnce(itemKey: Record<string, string>, attributes: Record<string, unknown>) {
    const writer = randomUUID();
    try {
      await this.retryingConflicts(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...itemKey, ...attributes, writer },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': INCIDENT_TABLE.partitionKey },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: itemKey,
          ConsistentRead: true,
        }),
      );
      return Item?.writer === writer;
    }
  }

  /**
   * Counts a delivery and keeps the latest (lastSeen, count). GuardDuty's count grows with
   * lastSeen, so one condition keeps both; a late, older delivery is counted without moving
   * them. (An UpdateItem whose answer was lost and that the SDK retried would count twice;
   * that needs a lost response, and errs towards more deliveries, never fewer.)
   */
  private async tallySighting(
    key: string,
    finding: { id: string; count: number; lastSeen: string },
  ) {
    const Key = this.itemKey(key, `${INCIDENT_ITEM.tallyPrefix}F#${finding.id}`);
    try {
      await this.retryingConflicts(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression:
              'SET findingId = :id, #count = :count, lastSeen = :lastSeen ADD deliveries :one',
            ConditionExpression:
              'attribute_not_exists(lastSeen) OR lastSeen < :lastSeen OR (lastSeen = :lastSeen AND #count <= :count)',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: {
              ':id': finding.id,
              ':count': finding.count,
              ':lastSeen': finding.lastSeen,
              ':one': 1,
            },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.retryingConflicts(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'ADD deliveries :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        ),
      );
    }
  }

  /**
   * A single-item write that met a transaction on the same item fails with
   * TransactionConflictException and changed nothing: wait a little and write again.
   */
  private async retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!(error instanceof TransactionConflictException) || attempt >= SINGLE_WRITE_ATTEMPTS)
          throw error;
        await sleep(Math.random() * Math.min(1000, 5 * 2 ** attempt));
      }
    }
  }

  private itemKey(key: string, sk: string) {
    return { [INCIDENT_TABLE.partitionKey]: incidentPartition(key), [INCIDENT_TABLE.sortKey]: sk };
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

  private headPut(head: IncidentHead, expectedVersion: number, statusSince: string): TransactItem {
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
          statusSince,
          // Unchanged unless the status changes, so the keys-only index is not rewritten.
          [t.statusIndexPartitionKey]: statusPartition(head.status, statusShard(head.key)),
          [t.statusIndexSortKey]: `${statusSince}#${head.key}`,
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

/**
 * Delivery items live in a partition of their own: reading an incident (one Query) never pages
 * through thousands of them.
 */
function deliveryKey(key: string, eventId: string) {
  return {
    [INCIDENT_TABLE.partitionKey]: `${INCIDENT_ITEM.deliveryPrefix}${key}`,
    [INCIDENT_TABLE.sortKey]: eventId,
  };
}

function statusPartition(status: string, shard: number): string {
  return `STATUS#${status}#${shard}`;
}

/** A stable shard per incident (FNV-1a of the key). */
function statusShard(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % STATUS_SHARDS;
}

const EMPTY_TALLIES: Tallies = { findings: {}, joined: {} };

/**
 * Another delivery of a finding the incident has, or a join of an execution it records (started
 * or claimed), and nothing else: no status, plan, severity or Security Hub id changes.
 */
function isRepeatSighting(base: IncidentHead, events: readonly IncidentEvent[]): boolean {
  return (
    events.length > 0 &&
    events.every((event) => {
      // A claimed execution is recorded by name before it starts: joins count beside it too.
      if (event.type === 'execution-joined')
        return base.executions.some((e) => e.name === event.name);
      if (event.type !== 'finding-seen') return false;
      const known = base.findings[event.finding.id];
      return (
        known !== undefined &&
        // The fold's own rule: the head's severity stays what it is.
        higherSeverity(base.severity, event.finding.severity) === base.severity &&
        (event.finding.securityHubId ?? null) === (known.securityHubId ?? null)
      );
    })
  );
}

function addTally(tallies: Tallies, item: Record<string, unknown>): void {
  const sk = item[INCIDENT_TABLE.sortKey] as string;
  if (sk.startsWith(`${INCIDENT_ITEM.tallyPrefix}F#`)) {
    tallies.findings[item.findingId as string] = {
      deliveries: Number(item.deliveries ?? 0),
      count: Number(item.count ?? 0),
      lastSeen: (item.lastSeen as string | undefined) ?? '',
    };
  } else if (sk.startsWith(`${INCIDENT_ITEM.tallyPrefix}X#`)) {
    tallies.joined[item.execution as string] = Number(item.joined ?? 0);
  }
}

/**
 * The head as the head item stores it: without the tallies `head` added when it was read, which
 * stay in their own items (count and lastSeen are maxima, so keeping them is harmless).
 */
function withoutTallies(head: IncidentHead, tallies: Tallies | undefined): IncidentHead {
  if (!tallies) return head;
  const stored = structuredClone(head);
  for (const [id, t] of Object.entries(tallies.findings)) {
    const finding = stored.findings[id];
    if (finding) finding.deliveries -= t.deliveries;
  }
  for (const execution of stored.executions)
    execution.joined -= tallies.joined[execution.name] ?? 0;
  return stored;
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
