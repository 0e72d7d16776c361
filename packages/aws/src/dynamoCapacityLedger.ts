import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CapacityLedger } from '@tourniquet/core';
import { INCIDENT_TABLE } from './incidents/incidentTable';

/**
 * The blast-radius budget in DynamoDB: one item per scope and hour holding the set of admitted
 * incident keys, grown with a conditional update (admit when already in, or when below the
 * limit). Items expire by TTL a day after their hour: transient, like idempotency records.
 * Deployed, they share the incidents table (`forIncidentTable`) under their own partition.
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

  /** The ledger in the incidents table: partition `blast-radius#<scope>#<hour>`, TTL `expiration`. */
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
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.keyOf(`blast-radius#${scope}#${window}`),
          UpdateExpression: 'ADD incidents :key SET #ttl = :expires',
          ConditionExpression:
            'attribute_not_exists(incidents) OR contains(incidents, :k) OR size(incidents) < :limit',
          ExpressionAttributeNames: { '#ttl': this.ttlAttribute },
          ExpressionAttributeValues: {
            ':key': { SS: [incidentKey] },
            ':k': { S: incidentKey },
            ':limit': { N: String(limit) },
            ':expires': { N: String((window + 25) * 3600) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
