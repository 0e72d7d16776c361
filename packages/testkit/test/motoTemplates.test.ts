import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { type MotoServer, seededMoto, startMoto } from '../src/emulators/moto';
import { LOCAL_CREDENTIALS } from '../src/localWorld';

const clients: DynamoDBClient[] = [];
function dynamo(moto: MotoServer): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  clients.push(client);
  return client;
}

async function tables(moto: MotoServer): Promise<string[]> {
  return (await dynamo(moto).send(new ListTablesCommand({}))).TableNames ?? [];
}

async function createTable(moto: MotoServer, name: string): Promise<void> {
  await dynamo(moto).send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Whether anything answers on the server's port. */
async function answers(moto: MotoServer): Promise<boolean> {
  try {
    const response = await fetch(`${moto.endpoint}/moto-api/`, {
      signal: AbortSignal.timeout(2000),
    });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

const started: MotoServer[] = [];
afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(started.map((m) => m.stop()));
});

describe('moto copies (fork)', () => {
  it('a copy starts with the state its original had and from then on shares nothing with it', async () => {
    const original = await startMoto();
    started.push(original);
    await createTable(original, 'before-the-copy');
    if (!original.fork) throw new Error('the project moto can be copied');
    const copy = await original.fork();
    started.push(copy);
    expect(copy.port).not.toBe(original.port);
    expect(await tables(copy)).toEqual(['before-the-copy']);

    await createTable(copy, 'only-in-the-copy');
    await dynamo(original).send(
      new PutItemCommand({ TableName: 'before-the-copy', Item: { pk: { S: 'original' } } }),
    );
    expect(await tables(original)).toEqual(['before-the-copy']);
    expect((await tables(copy)).sort()).toEqual(['before-the-copy', 'only-in-the-copy']);
    const inCopy = await dynamo(copy).send(
      new GetItemCommand({ TableName: 'before-the-copy', Key: { pk: { S: 'original' } } }),
    );
    expect(inCopy.Item).toBeUndefined();
  });

  it('stopping a copy ends its process and leaves the original serving', async () => {
    const original = await startMoto();
    started.push(original);
    if (!original.fork) throw new Error('the project moto can be copied');
    const copy = await original.fork();
    await copy.stop();
    expect(await answers(copy)).toBe(false);
    expect(await answers(original)).toBe(true);
  });

  it('a seeded kind is seeded once; every server of that kind is its own copy of the seeding', async () => {
    let seedings = 0;
    const key = `seeded-once-${Date.now()}`;
    const seed = async (moto: MotoServer) => {
      seedings++;
      await createTable(moto, 'seeded');
      return { seeded: true };
    };
    const first = await seededMoto(key, () => startMoto(), seed);
    const second = await seededMoto(key, () => startMoto(), seed);
    started.push(first.moto, second.moto);
    // The suite runs with templates on (test/helpers/workerEnv.ts).
    expect(seedings).toBe(1);
    expect(second.value).toEqual({ seeded: true });
    await createTable(first.moto, 'first-only');
    expect((await tables(first.moto)).sort()).toEqual(['first-only', 'seeded']);
    expect(await tables(second.moto)).toEqual(['seeded']);
  });
});
