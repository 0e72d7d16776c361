import { randomUUID } from 'node:crypto';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
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
  INCIDENT_STATUSES,
  IncidentStoreError,
  IncidentVersionConflictError,
} from '@tourniquet/core';
import { awsClientConfig } from '../clientConfig';
import {
  actionPut,
  addTally,
  auditFromItem,
  auditPut,
  deliveryKey,
  EMPTY_TALLIES,
  headPut,
  isRepeatSighting,
  statusPartition,
  type Tallies,
  type TransactItem,
  withoutTallies,
} from './incidentItems';
import {
  INCIDENT_ITEM,
  INCIDENT_TABLE,
  incidentPartition,
  STATUS_SHARDS,
  sequenceKey,
} from './incidentTable';
import { assertMarkable, TallyWrites } from './incidentTallies';

/** DynamoDB allows 100 items per transaction; the head takes one. */
const MAX_ITEMS_PER_CHANGE = 100;
/** Heads read at once when listing. */
const LIST_READ_CONCURRENCY = 16;

/** What the store read beside a head: the tallies merged into it and when its status was set. */
interface HeadReading {
  tallies: Tallies;
  statusSince: string;
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
 * so a redelivery writes nothing) and one unconditional update of the finding's tally item,
 * which also counts the joins that came with the sighting. A burst of findings on one pod then
 * never contends on the head's version, and costs two writes a finding. `head` and `get` add
 * the tallies to the head; the audit trail has the delivery items' own record, not an entry
 * each.
 *
 * Nested payloads (plans, undo data, evidence) are stored as JSON strings: they are opaque to
 * queries, and arbitrary documents (pod specs) would otherwise hit DynamoDB's nesting limits.
 */
export class DynamoIncidentStore implements IncidentStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly writes: TallyWrites;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.writes = new TallyWrites(this.doc, this.tableName);
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
      headPut(
        this.tableName,
        withoutTallies(applied.head, reading?.tallies),
        expectedVersion,
        statusSince,
      ),
      ...applied.audit.map((entry) => auditPut(this.tableName, key, entry, change)),
      ...applied.actions.map((action) => actionPut(this.tableName, key, action)),
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
   * Repeat sightings without touching the head: per sighting a delivery item put once, then one
   * update of its finding's tally carrying the joins of that finding in the same change. A
   * redelivered event (its delivery item exists) counts nothing, its joins included.
   */
  private async appendSighting(
    key: string,
    base: IncidentHead,
    events: readonly IncidentEvent[],
    meta: ChangeMeta,
  ): Promise<IncidentHead> {
    const head = structuredClone(base);
    const read = this.readings.get(base)?.tallies.findings;
    const sightings = events.filter(
      (e): e is Extract<IncidentEvent, { type: 'finding-seen' }> => e.type === 'finding-seen',
    );
    for (const sighting of sightings) assertMarkable(key, sighting.finding);
    const carried = new Map<IncidentEvent, string[]>();
    const alone: string[] = [];
    for (const event of events) {
      if (event.type !== 'execution-joined') continue;
      const sighting = sightings.find((s) => s.finding.id === event.findingId);
      if (sighting) carried.set(sighting, [...(carried.get(sighting) ?? []), event.name]);
      else alone.push(event.name);
    }
    const joined = (name: string) => {
      const execution = head.executions.find((e) => e.name === name);
      if (execution) execution.joined += 1;
    };
    for (const event of sightings) {
      const delivery = event.eventId ?? randomUUID();
      const fresh = await this.writes.putOnce(deliveryKey(key, delivery), {
        at: meta.at,
        actor: meta.actor,
        findingId: event.finding.id,
        count: event.finding.count,
        lastSeen: event.finding.lastSeen,
      });
      if (!fresh) continue;
      const joins = carried.get(event) ?? [];
      await this.writes.tallySighting(key, event.finding, read?.[event.finding.id], joins);
      const finding = head.findings[event.finding.id];
      if (finding) {
        finding.deliveries += 1;
        finding.count = Math.max(finding.count, event.finding.count);
        if (event.finding.lastSeen > finding.lastSeen) finding.lastSeen = event.finding.lastSeen;
      }
      for (const name of joins) joined(name);
    }
    for (const name of alone) {
      await this.writes.tallyJoin(key, name);
      joined(name);
    }
    return head;
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
