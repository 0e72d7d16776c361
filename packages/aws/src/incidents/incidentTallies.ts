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
import { INCIDENT_ITEM, INCIDENT_TABLE, incidentPartition } from './incidentTable';

const SINGLE_WRITE_ATTEMPTS = 10;

/**
 * The writes of the hot path: a delivery item put once, and counters added to with ADD, each
 * retried when DynamoDB reports a conflict with a concurrent transaction on the same item.
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
   * Counts a delivery and keeps the latest (lastSeen, count). GuardDuty's count grows with
   * lastSeen, so one condition keeps both; a late, older delivery is counted without moving
   * them. (An UpdateItem whose answer was lost and that the SDK retried would count twice;
   * that needs a lost response, and errs towards more deliveries, never fewer.)
   */
  async tallySighting(key: string, finding: { id: string; count: number; lastSeen: string }) {
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
