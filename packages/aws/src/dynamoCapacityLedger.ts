import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CapacityLedger } from '@tourniquet/core';

/**
 * The blast-radius budget in DynamoDB: one item per scope and hour holding the set of admitted
 * incident keys, grown with a conditional update (admit when already in, or when below the
 * limit). Items expire by TTL a day after their hour: transient, like idempotency records, so
 * they live in the idempotency table under their own key prefix.
 */
export class DynamoCapacityLedger implements CapacityLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly keyAttribute = 'id',
    private readonly ttlAttribute = 'expiration',
  ) {}

  async admit(scope: string, incidentKey: string, limit: number, window: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { [this.keyAttribute]: { S: `blast-radius#${scope}#${window}` } },
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
