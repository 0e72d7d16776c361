import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  type ActionRecord,
  higherSeverity,
  type IncidentAuditEntry,
  type IncidentEvent,
  type IncidentHead,
} from '@tourniquet/core';
import {
  INCIDENT_ITEM,
  INCIDENT_TABLE,
  incidentPartition,
  STATUS_SHARDS,
  sequenceKey,
} from './incidentTable';
import {
  type FindingTally,
  laterMark,
  parseMark,
  type SightingMark,
  TALLY_ATTRIBUTE,
} from './incidentTallies';

/** The items of an incident as DynamoDB holds them, and the transaction items that write them. */

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface Tallies {
  findings: Record<string, FindingTally>;
  joined: Record<string, number>;
}

export function headPut(
  table: string,
  head: IncidentHead,
  expectedVersion: number,
  statusSince: string,
): TransactItem {
  const t = INCIDENT_TABLE;
  return {
    Put: {
      TableName: table,
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

export function auditPut(
  table: string,
  key: string,
  entry: IncidentAuditEntry,
  change: string,
): TransactItem {
  return newItem(table, key, `${INCIDENT_ITEM.auditPrefix}${sequenceKey(entry.seq)}`, {
    change,
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    type: entry.type,
    summary: entry.summary,
    data: JSON.stringify(entry.data),
  });
}

export function actionPut(table: string, key: string, action: ActionRecord): TransactItem {
  const sk = `${INCIDENT_ITEM.actionPrefix}${sequenceKey(action.seq)}#${action.stepKey}`;
  return newItem(table, key, sk, {
    seq: action.seq,
    action: action.action,
    status: action.status,
    body: JSON.stringify(action),
  });
}

/** Audit entries and action records are written once and never changed. */
function newItem(
  table: string,
  key: string,
  sk: string,
  attributes: Record<string, unknown>,
): TransactItem {
  return {
    Put: {
      TableName: table,
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

/**
 * Delivery items live in a partition of their own: reading an incident (one Query) never pages
 * through thousands of them.
 */
export function deliveryKey(key: string, eventId: string) {
  return {
    [INCIDENT_TABLE.partitionKey]: `${INCIDENT_ITEM.deliveryPrefix}${key}`,
    [INCIDENT_TABLE.sortKey]: eventId,
  };
}

export function statusPartition(status: string, shard: number): string {
  return `STATUS#${status}#${shard}`;
}

/** A stable shard per incident (FNV-1a of the key). */
export function statusShard(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % STATUS_SHARDS;
}

export const EMPTY_TALLIES: Tallies = { findings: {}, joined: {} };

/**
 * Another delivery of a finding the incident has, or a join of an execution it records (started
 * or claimed), and nothing else: no status, plan, severity or Security Hub id changes.
 */
export function isRepeatSighting(base: IncidentHead, events: readonly IncidentEvent[]): boolean {
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

/**
 * Adds a tally item to what was read. A finding's item holds its deliveries, its marks (the
 * latest is its lastSeen and count) and the joins its sightings brought, per execution; an
 * execution's own item (`TALLY#X#`) holds joins recorded without a sighting. Items written
 * before marks existed keep the latest sighting in `lastSeen` and `count`.
 */
export function addTally(tallies: Tallies, item: Record<string, unknown>): void {
  const sk = item[INCIDENT_TABLE.sortKey] as string;
  if (sk.startsWith(`${INCIDENT_ITEM.tallyPrefix}F#`)) {
    let latest: SightingMark | null =
      item.lastSeen === undefined
        ? null
        : { lastSeen: String(item.lastSeen), count: Number(item.count ?? 0) };
    const marks: string[] = [];
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith(TALLY_ATTRIBUTE.join)) {
        const execution = name.slice(TALLY_ATTRIBUTE.join.length);
        tallies.joined[execution] = (tallies.joined[execution] ?? 0) + Number(value);
        continue;
      }
      const mark = parseMark(name);
      if (!mark) continue;
      marks.push(name);
      if (!latest || laterMark(mark, latest)) latest = mark;
    }
    tallies.findings[item.findingId as string] = {
      deliveries: Number(item.deliveries ?? 0),
      count: latest?.count ?? 0,
      lastSeen: latest?.lastSeen ?? '',
      marks,
    };
  } else if (sk.startsWith(`${INCIDENT_ITEM.tallyPrefix}X#`)) {
    const execution = item.execution as string;
    tallies.joined[execution] = (tallies.joined[execution] ?? 0) + Number(item.joined ?? 0);
  }
}

/**
 * The head as the head item stores it: without the tallies `head` added when it was read, which
 * stay in their own items (count and lastSeen are maxima, so keeping them is harmless).
 */
export function withoutTallies(head: IncidentHead, tallies: Tallies | undefined): IncidentHead {
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

export function auditFromItem(item: Record<string, unknown>): IncidentAuditEntry {
  return {
    seq: item.seq as number,
    at: item.at as string,
    actor: item.actor as string,
    type: item.type as string,
    summary: item.summary as string,
    data: JSON.parse((item.data as string | undefined) ?? '{}'),
  };
}
