import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ActionJournal, JournalEntry, NewJournalEntry } from '@tourniquet/core';
import { INCIDENT_TABLE } from '../incidents/incidentTable';

/** Journal items share the incidents table, in a partition of their own per incident. */
export function journalPartition(incidentKey: string): string {
  return `JOURNAL#${incidentKey}`;
}

const sortKey = (action: string, target: string) => `${action}#${target}`;

/**
 * The step journal in the incidents table. `record` is a put on condition that the item does
 * not exist (the first record wins; a retried put whose answer was lost finds its own item);
 * reads are strongly consistent so a retry sees the record its first attempt wrote.
 */
export class DynamoActionJournal implements ActionJournal {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
  }

  private key(incidentKey: string, action: string, target: string) {
    return {
      [INCIDENT_TABLE.partitionKey]: journalPartition(incidentKey),
      [INCIDENT_TABLE.sortKey]: sortKey(action, target),
    };
  }

  async record<R>(entry: NewJournalEntry<R>, now: Date): Promise<JournalEntry<R>> {
    const stored: JournalEntry<R> = { ...entry, recordedAt: now.toISOString(), releasedAt: null };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(entry.incidentKey, entry.action, entry.target),
            body: JSON.stringify(stored),
            released: false,
          },
          // A released entry is history: containing the target again records afresh.
          ConditionExpression: 'attribute_not_exists(#pk) OR released = :true',
          ExpressionAttributeNames: { '#pk': INCIDENT_TABLE.partitionKey },
          ExpressionAttributeValues: { ':true': true },
        }),
      );
      return stored;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.find(entry.incidentKey, entry.action, entry.target);
    if (!existing || existing.releasedAt) {
      throw new Error(`journal entry ${entry.action} ${entry.target} changed while recording`);
    }
    return existing as JournalEntry<R>;
  }

  async find(incidentKey: string, action: string, target: string): Promise<JournalEntry | null> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.key(incidentKey, action, target),
        ConsistentRead: true,
      }),
    );
    return Item ? parse(Item) : null;
  }

  async list(incidentKey: string, action?: string): Promise<JournalEntry[]> {
    const entries: JournalEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: action ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
          ExpressionAttributeNames: {
            '#pk': INCIDENT_TABLE.partitionKey,
            ...(action ? { '#sk': INCIDENT_TABLE.sortKey } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': journalPartition(incidentKey),
            ...(action ? { ':prefix': `${action}#` } : {}),
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      entries.push(...(page.Items ?? []).map(parse));
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  async markReleased(incidentKey: string, action: string, target: string, now: Date) {
    const entry = await this.find(incidentKey, action, target);
    if (!entry || entry.releasedAt) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(incidentKey, action, target),
        UpdateExpression: 'SET body = :body, released = :true',
        ExpressionAttributeValues: {
          ':body': JSON.stringify({ ...entry, releasedAt: now.toISOString() }),
          ':true': true,
        },
      }),
    );
  }
}

function parse(item: Record<string, unknown>): JournalEntry {
  return JSON.parse(item.body as string) as JournalEntry;
}
