import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoCapacityLedger } from '@tourniquet/aws';
import { beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../helpers/moto';

// Incident keys carry pod, namespace and role names an attacker can choose; they become part of
// the ledger's item keys. The scope (account, region, cluster) and the hour come from config and
// the clock.
describe('blast-radius ledger: incident keys an attacker shapes', () => {
  const moto = useMoto();
  let client: DynamoDBClient;
  beforeAll(async () => {
    client = new DynamoDBClient(moto());
    await client.send(
      new CreateTableCommand({
        TableName: 'ledger',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );
  });

  it('an incident key shaped like the budget keys neither refills a spent budget nor spends another scope’s', async () => {
    const ledger = new DynamoCapacityLedger(client, 'ledger');
    const scope = '111122223333:us-east-1:prod-eks-01:pods';
    expect(await ledger.admit(scope, 'incident/payments/api', 1, 42)).toBe(true);
    // Keys whose admission item would sit next to, or spell out, budget items.
    for (const key of ['', '#', '42', `${scope}#42`, '#count', 'admitted', 'blast-radius#x#42']) {
      expect(await ledger.admit(scope, key, 1, 42), `key ${JSON.stringify(key)}`).toBe(false);
    }
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'ledger', Key: { id: { S: `blast-radius#${scope}#42` } } }),
    );
    expect(Item?.admitted).toEqual({ N: '1' });
    // Another cluster's budget is untouched by all of the above.
    expect(await ledger.admit('111122223333:us-east-1:other:pods', 'incident/x', 1, 42)).toBe(true);
  });
});
