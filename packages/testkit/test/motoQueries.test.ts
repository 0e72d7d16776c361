import { spawnSync } from 'node:child_process';
import {
  type AttributeValue,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { MOTO_DYNAMODB_PATCHES } from '../src/emulators/moto';
import { motoPython } from '../src/emulators/motoPython';
import { useMotoTable } from './helpers/motoTable';

/**
 * In moto's own Python: a table of 200 partitions of 5 items, every item moto's query looks at
 * recorded (what `all_items` hands it), then queries of one partition.
 */
const WORK = `
import json
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.dynamo_type import DynamoType
patch_transactions()
patch_queries()
seen = []
_all_items = Table.all_items
def all_items(self):
    items = _all_items(self)
    seen.append(len(items))
    return items
Table.all_items = all_items
table = Table("t", account_id="123456789012", region="us-east-1",
    schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    attr=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])
for p in range(200):
    for s in range(5):
        table.put_item({"pk": {"S": "p%03d" % p}, "sk": {"S": "s%d" % s}})
found, _, _ = table.query(DynamoType({"S": "p042"}), "BEGINS_WITH", [DynamoType({"S": "s"})], None, None, True, None)
missing, _, _ = table.query(DynamoType({"S": "absent"}), None, [], None, None, True, None)
print(json.dumps({
    "seen": seen,
    "found": [i.range_key.value for i in found],
    "missing": len(missing),
    "partitions": len(table.items),
}))
`;

const TABLE = 'queries';
const table = useMotoTable(TABLE, {
  attributes: [{ AttributeName: 'g', AttributeType: 'S' }],
  indexes: [
    {
      IndexName: 'byG',
      KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
  // Partitions before and after the one queried, so a query that leaked others would show them.
  seed: async (dynamo) => {
    for (const pk of ['a', 'b', 'c'])
      for (const sk of ['x#3', 'x#1', 'y#1', 'x#2', 'x#10'])
        await dynamo.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: { pk: { S: pk }, sk: { S: sk }, g: { S: sk.slice(0, 1) } },
          }),
        );
  },
});

/** Every page of a query, each page's sort keys. */
async function pages(input: Omit<QueryCommandInput, 'TableName'>): Promise<string[][]> {
  const out: string[][] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await table
      .dynamo()
      .send(new QueryCommand({ TableName: TABLE, ...input, ExclusiveStartKey: start }));
    out.push((page.Items ?? []).map((i) => `${i.pk?.S}/${i.sk?.S}`));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

describe("the project's moto: DynamoDB queries", () => {
  it('a query on the table key looks at the items of its partition only, not the whole table', async () => {
    const run = spawnSync(await motoPython(), ['-c', MOTO_DYNAMODB_PATCHES + WORK], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const answer = JSON.parse(run.stdout) as {
      seen: number[];
      found: string[];
      missing: number;
      partitions: number;
    };
    expect(answer.found).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(answer.missing).toBe(0);
    // moto alone hands each query all 1,000 items, sorted.
    expect(Math.max(...answer.seen)).toBeLessThanOrEqual(5);
    // Querying a partition that does not exist does not create it.
    expect(answer.partitions).toBe(200);
  });

  it("a partition's items come back in sort-key order, in pages, and none of another partition's", async () => {
    expect(
      await pages({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :x)',
        ExpressionAttributeValues: { ':pk': { S: 'b' }, ':x': { S: 'x#' } },
        Limit: 3,
      }),
    ).toEqual([['b/x#1', 'b/x#10', 'b/x#2'], ['b/x#3']]);
    expect(
      await pages({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'b' } },
        ScanIndexForward: false,
        Limit: 2,
      }),
    ).toEqual([['b/y#1', 'b/x#3'], ['b/x#2', 'b/x#10'], ['b/x#1']]);
    expect(
      await pages({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'nobody' } },
      }),
    ).toEqual([[]]);
  });

  it('a query on an index still reads every partition the index holds', async () => {
    const [items] = await pages({
      IndexName: 'byG',
      KeyConditionExpression: 'g = :g',
      ExpressionAttributeValues: { ':g': { S: 'y' } },
    });
    expect(items?.sort()).toEqual(['a/y#1', 'b/y#1', 'c/y#1']);
  });
});
