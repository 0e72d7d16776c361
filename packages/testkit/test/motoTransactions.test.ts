import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { useMotoTable } from './helpers/motoTable';

const TABLE = 'transactions';
const table = useMotoTable(TABLE, {
  seed: async (dynamo) => {
    for (const [sk, value] of [
      ['replaced', 'old'],
      ['updated', 'old'],
      ['deleted', 'old'],
      ['guard', 'closed'],
    ])
      await dynamo.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { pk: { S: 'p' }, sk: { S: sk as string }, value: { S: value as string } },
        }),
      );
  },
});

async function value(sk: string): Promise<string | undefined> {
  const { Item } = await table
    .dynamo()
    .send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'p' }, sk: { S: sk } } }));
  return Item?.value?.S;
}

const key = (sk: string) => ({ pk: { S: 'p' }, sk: { S: sk } });

describe("the project's moto: DynamoDB transactions", () => {
  it('a cancelled transaction leaves every item it names as it was: puts, updates and deletes undone', async () => {
    const transaction = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { ...key('created'), value: { S: 'new' } } } },
        { Put: { TableName: TABLE, Item: { ...key('replaced'), value: { S: 'new' } } } },
        {
          Update: {
            TableName: TABLE,
            Key: key('updated'),
            UpdateExpression: 'SET #v = :v',
            ExpressionAttributeNames: { '#v': 'value' },
            ExpressionAttributeValues: { ':v': { S: 'new' } },
          },
        },
        { Delete: { TableName: TABLE, Key: key('deleted') } },
        // The last check fails: DynamoDB applies none of the four writes above.
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: key('guard'),
            ConditionExpression: '#v = :open',
            ExpressionAttributeNames: { '#v': 'value' },
            ExpressionAttributeValues: { ':open': { S: 'open' } },
          },
        },
      ],
    });
    const failure = await table
      .dynamo()
      .send(transaction)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransactionCanceledException);
    expect(
      (failure as TransactionCanceledException).CancellationReasons?.map((r) => r.Code),
    ).toEqual(['None', 'None', 'None', 'None', 'ConditionalCheckFailed']);
    expect({
      created: await value('created'),
      replaced: await value('replaced'),
      updated: await value('updated'),
      deleted: await value('deleted'),
    }).toEqual({ created: undefined, replaced: 'old', updated: 'old', deleted: 'old' });
  });

  it('a transaction whose conditions hold applies every write', async () => {
    await table.dynamo().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { ...key('applied'), value: { S: 'new' } } } },
          {
            Update: {
              TableName: TABLE,
              Key: key('updated'),
              UpdateExpression: 'SET #v = :v',
              ConditionExpression: '#v = :old',
              ExpressionAttributeNames: { '#v': 'value' },
              ExpressionAttributeValues: { ':v': { S: 'newer' }, ':old': { S: 'old' } },
            },
          },
        ],
      }),
    );
    expect([await value('applied'), await value('updated')]).toEqual(['new', 'newer']);
    // A single conditional write still fails on its own terms.
    await expect(
      table.dynamo().send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { ...key('applied'), value: { S: 'again' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });
});
