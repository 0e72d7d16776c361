import { CreateTableCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * The DynamoDB calls the tracer tests trace (test/xrayTracer.test.ts and its X-Ray SDK
 * comparison, test/helpers/xrayOracle.ts): a table keyed by `pk`, a write of item `a`, and a
 * conditional write of the same item that DynamoDB refuses. Returns the refusal's error name.
 */
export async function writeAndRefuse(ddb: DynamoDBClient, table: string): Promise<string> {
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } } }));
  return ddb
    .send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'a' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    .then(
      () => 'accepted',
      (e: Error) => e.name,
    );
}
