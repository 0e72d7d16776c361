import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { IncidentStoreError } from '@tourniquet/core';
import { INCIDENT_ITEM, INCIDENT_TABLE, incidentPartition } from './incidentTable';

const SINGLE_WRITE_ATTEMPTS = 10;

/**
 * Attribute-name prefixes on a finding's tally item (`TALLY#F#<finding>`): a mark per
 * (lastSeen, count) a sighting brought, and a join counter per execution its sightings joined.
 */
export const TALLY_ATTRIBUTE = { mark: 'S#', join: 'J#' } as const;

/** A sighting's place in time: GuardDuty's count grows with lastSeen. */
export interface SightingMark {
  lastSeen: string;
  count: number;
}

/** A finding's tally as read: counters, the latest sighting, and the mark attributes present. */
export interface FindingTally extends SightingMark {
  deliveries: number;
  marks: string[];
}

/** Marks removed at most per update; the next updates remove what is left. */
const MAX_MARKS_REMOVED = 64;

export function markName(mark: SightingMark): string {
  return `${TALLY_ATTRIBUTE.mark}${mark.lastSeen}#${mark.count}`;
}

export function parseMark(name: string): SightingMark | null {
  const at = name.lastIndexOf('#');
  if (!name.startsWith(TALLY_ATTRIBUTE.mark) || at < TALLY_ATTRIBUTE.mark.length - 1) return null;
  const count = Number(name.slice(at + 1));
  return Number.isFinite(count)
    ? { lastSeen: name.slice(TALLY_ATTRIBUTE.mark.length, at), count }
    : null;
}

/** Refuses, before anything is written, a sighting whose mark would not parse back. */
export function assertMarkable(key: string, finding: { id: string; count: number }): void {
  if (!Number.isFinite(finding.count)) {
    throw new IncidentStoreError(
      `finding ${finding.id} on incident ${key}: count must be a finite number, got ${finding.count}`,
    );
  }
}

/** Whether `a` is a later sighting than `b` (lastSeen, then count). */
export function laterMark(a: SightingMark, b: SightingMark): boolean {
  return a.lastSeen > b.lastSeen || (a.lastSeen === b.lastSeen && a.count > b.count);
}

/**
 * The writes of the hot path: a delivery item put once, and one update of a finding's tally
 * item, each retried when DynamoDB reports a conflict with a concurrent transaction on the item.
 */
export class TallyWrites {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Puts an item unless it exists; false when it did (a redelivery). A retried request whose
   * first attempt landed fails its own condition: the writer token tells that apart.
   */
  async putOnce(itemKey: Record<string, string>, attributes: Record<string, unknown>) {
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
   * Counts a delivery, and the joins it brought, in one unconditional UpdateItem. DynamoDB has
   * no max(): the latest (lastSeen, count) is the greatest of the mark attributes on the item.
   * A sighting later than every mark it read sets its own; marks it read that are below the
   * greatest it knows are removed. A mark is only ever removed by an update that keeps or adds
   * a greater one, so the greatest sighting is always on the item, and marks left by writers
   * racing each other are removed by the next update that reads them. (An UpdateItem whose
   * answer was lost and that the SDK retried would count twice; that needs a lost response,
   * and errs towards more deliveries, never fewer.)
   */
  async tallySighting(
    key: string,
    finding: { id: string; count: number; lastSeen: string },
    read: FindingTally | undefined,
    joins: readonly string[],
  ) {
    const mark = markName(finding);
    const known = read && (read.lastSeen !== '' || read.marks.length > 0) ? read : null;
    const top = !known || laterMark(finding, known) ? finding : known;
    const names: Record<string, string> = {};
    const set = ['findingId = :id'];
    if (top === finding) {
      names['#mark'] = mark;
      set.push('#mark = :one');
    }
    const removed = (read?.marks ?? [])
      .filter((name) => {
        const m = parseMark(name);
        return name !== mark && m !== null && laterMark(top, m);
      })
      .slice(0, MAX_MARKS_REMOVED);
    removed.forEach((name, i) => {
      names[`#r${i}`] = name;
    });
    const add = ['deliveries :one'];
    const values: Record<string, unknown> = { ':id': finding.id, ':one': 1 };
    const joined = new Map<string, number>();
    for (const execution of joins) joined.set(execution, (joined.get(execution) ?? 0) + 1);
    [...joined].forEach(([execution, n], i) => {
      names[`#j${i}`] = `${TALLY_ATTRIBUTE.join}${execution}`;
      values[`:j${i}`] = n;
      add.push(`#j${i} :j${i}`);
    });
    await this.retryingConflicts(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.itemKey(key, `${INCIDENT_ITEM.tallyPrefix}F#${finding.id}`),
          UpdateExpression: [
            `SET ${set.join(', ')}`,
            removed.length ? `REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}` : '',
            `ADD ${add.join(', ')}`,
          ]
            .filter(Boolean)
            .join(' '),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /** A join without a sighting of the same finding in the change: a counter of its own. */
  async tallyJoin(key: string, execution: string) {
    await this.retryingConflicts(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.itemKey(key, `${INCIDENT_ITEM.tallyPrefix}X#${execution}`),
          UpdateExpression: 'SET execution = :name ADD joined :one',
          ExpressionAttributeValues: { ':name': execution, ':one': 1 },
        }),
      ),
    );
  }

  /**
   * A single-item write that met a transaction on the same item fails with
   * TransactionConflictException and changed nothing: wait a little and write again.
   */
  async retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
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

  itemKey(key: string, sk: string) {
    return { [INCIDENT_TABLE.partitionKey]: incidentPartition(key), [INCIDENT_TABLE.sortKey]: sk };
  }
}
