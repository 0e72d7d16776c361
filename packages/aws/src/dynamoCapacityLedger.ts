import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { CapacityLedger } from '@tourniquet/core';
import { INCIDENT_TABLE } from './incidents/incidentTable';

/** Attempts of an admission whose transaction met another one on the budget item. */
const CONFLICT_ATTEMPTS = 8;

/**
 * The blast-radius budget in DynamoDB, per scope and hour: a small item per admitted incident
 * (`blast-radius#<scope>#<hour>#<incident>`) and a counter item (`blast-radius#<scope>#<hour>`)
 * of how many were admitted. A new incident is admitted by one transaction that creates its
 * item and counts it, on condition that the count is below the limit; a finding on an incident
 * already admitted reads its item and writes nothing. (The budget used to be one item holding
 * the set of admitted keys, rewritten by every finding: its size, and so the write capacity of
 * every finding, grew with the hour's incidents.) Items expire by TTL a day after their hour:
 * transient, like idempotency records. Deployed, they share the incidents table
 * (`forIncidentTable`) under their own partitions.
 */
export class DynamoCapacityLedger implements CapacityLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    /** The item key for a budget id (default: a table keyed by `id`). */
    private readonly keyOf: (id: string) => Record<string, AttributeValue> = (id) => ({
      id: { S: id },
    }),
    private readonly ttlAttribute = 'expiration',
  ) {}

  /** The ledger in the incidents table: partition `blast-radius#…`, TTL `expiration`. */
  static forIncidentTable(client: DynamoDBClient, table: string): DynamoCapacityLedger {
    return new DynamoCapacityLedger(
      client,
      table,
      (id) => ({
        [INCIDENT_TABLE.partitionKey]: { S: id },
        [INCIDENT_TABLE.sortKey]: { S: 'BUDGET' },
      }),
      INCIDENT_TABLE.ttlAttribute,
    );
  }

  async admit(scope: string, incidentKey: string, limit: number, window: number): Promise<boolean> {
    const budget = this.keyOf(`blast-radius#${scope}#${window}`);
    const admitted = this.keyOf(`blast-radius#${scope}#${window}#${incidentKey}`);
    const names = { '#ttl': this.ttlAttribute };
    const expires = { N: String((window + 25) * 3600) };
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: admitted,
        ConsistentRead: true,
        ProjectionExpression: '#ttl',
        ExpressionAttributeNames: names,
      }),
    );
    if (Item) return true;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: { ...admitted, [this.ttlAttribute]: expires },
                  ConditionExpression: 'attribute_not_exists(#ttl)',
                  ExpressionAttributeNames: names,
                },
              },
              {
                Update: {
                  TableName: this.table,
                  Key: budget,
                  UpdateExpression: 'ADD admitted :one SET #ttl = :expires',
                  // The first admission of the hour is always made (as with one incident).
                  ConditionExpression: 'attribute_not_exists(admitted) OR admitted < :limit',
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: {
                    ':one': { N: '1' },
                    ':limit': { N: String(limit) },
                    ':expires': expires,
                  },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [incident, count] = (error.CancellationReasons ?? []).map((r) => r.Code);
        // Another finding of the same incident admitted it first (or this one did, and its
        // answer was lost on the way back).
        if (incident === 'ConditionalCheckFailed') return true;
        if (count === 'ConditionalCheckFailed') return false;
        const conflict = [incident, count].includes('TransactionConflict');
        if (!conflict || attempt >= CONFLICT_ATTEMPTS) throw error;
      }
    }
  }
}
