import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type MotoServer, startMoto } from '../../src/emulators/moto';
import { LOCAL_CREDENTIALS } from '../../src/localWorld';

/**
 * A moto of the file's own with one pay-per-request table keyed `pk` (hash) and `sk` (range),
 * created before the file's tests and stopped after them; `seed` fills it.
 */
export function useMotoTable(
  tableName: string,
  options: {
    attributes?: AttributeDefinition[];
    indexes?: GlobalSecondaryIndex[];
    seed?: (dynamo: DynamoDBClient) => Promise<void>;
  } = {},
): { dynamo: () => DynamoDBClient; moto: () => MotoServer } {
  let moto: MotoServer | undefined;
  let dynamo: DynamoDBClient | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    dynamo = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          ...(options.attributes ?? []),
        ],
        ...(options.indexes ? { GlobalSecondaryIndexes: options.indexes } : {}),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await options.seed?.(dynamo);
  });
  afterAll(async () => {
    dynamo?.destroy();
    await moto?.stop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the moto table is not ready (used outside a test)');
    return value;
  };
  return { dynamo: () => ready(dynamo), moto: () => ready(moto) };
}
