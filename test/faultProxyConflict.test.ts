import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoCapacityLedger, DynamoIncidentStore, ensureIncidentTable } from '@tourniquet/aws';
import { createPlanner, parseConfig, triage } from '@tourniquet/core';
import { DYNAMODB_FAULT_KINDS, type FaultProxy, startFaultProxy } from '@tourniquet/testkit';
import { IncidentRecordingStarter } from '@tourniquet/tickets';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent } from './helpers/events';
import { useMoto } from './helpers/moto';
import { OncePerIncidentStarter } from './helpers/oncePerIncidentStarter';

describe('Fault proxy: DynamoDB transaction conflicts', () => {
  const moto = useMoto();
  let proxy: FaultProxy | null = null;
  const through = async (rate: number) => {
    proxy = await startFaultProxy({ target: moto().endpoint, rate, kinds: DYNAMODB_FAULT_KINDS });
    return new DynamoDBClient({ ...moto(), endpoint: proxy.url, maxAttempts: 1 });
  };
  beforeAll(async () => {
    await new DynamoDBClient(moto()).send(
      new CreateTableCommand({
        TableName: 'plain',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = null;
  });

  it('a single-item write gets TransactionConflictException and a transaction is cancelled for TransactionConflict; reads pass', async () => {
    const client = await through(1);
    await expect(
      client.send(new PutItemCommand({ TableName: 'plain', Item: { pk: { S: 'a' } } })),
    ).rejects.toBeInstanceOf(TransactionConflictException);
    const cancelled = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'plain', Item: { pk: { S: 'b' } } } },
            { Put: { TableName: 'plain', Item: { pk: { S: 'c' } } } },
          ],
        }),
      )
      .catch((error: unknown) => error);
    expect(cancelled).toBeInstanceOf(TransactionCanceledException);
    expect((cancelled as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
    ]);
    // Nothing was written, and a read is never faulted.
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'plain', Key: { pk: { S: 'a' } } }),
    );
    expect(Item).toBeUndefined();
    expect(proxy?.stats.faults['transaction-conflict']).toBe(2);
  });

  it('the blast-radius ledger through 50% conflicts admits exactly its limit, and admitted incidents stay admitted', async () => {
    // One admission at a time: the proxy's seeded draws then fall on the same requests every run.
    const client = await through(0.5);
    const ledger = new DynamoCapacityLedger(client, 'plain', (id) => ({ pk: { S: id } }));
    const admit = async () => {
      const answers: boolean[] = [];
      for (let i = 0; i < 10; i++)
        answers.push(await ledger.admit('conflicts', `incident-${i}`, 4, 7));
      return answers;
    };
    const first = await admit();
    expect(first).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(await admit()).toEqual(first);
    expect(proxy?.stats.faults['transaction-conflict']).toBeGreaterThan(0);
  });

  it('a burst on one pod through 30% conflicts: every finding is recorded, none fails', {
    timeout: 600_000,
  }, async () => {
    const client = await through(0.3);
    await ensureIncidentTable(new DynamoDBClient(moto()), 'incidents-conflict');
    const store = new DynamoIncidentStore({ client, tableName: 'incidents-conflict' });
    const starter = new IncidentRecordingStarter(new OncePerIncidentStarter(), {
      store,
      actor: 'triage',
    });
    const planner = createPlanner(parseConfig({}));
    const event = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        triage(
          {
            ...event,
            id: `conflict-${i}`,
            detail: { ...event.detail, service: { ...event.detail.service, count: i + 1 } },
          },
          planner,
          starter,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(proxy?.stats.faults['transaction-conflict']).toBeGreaterThan(0);
    const [head] = await store.list();
    expect(Object.values(head?.findings ?? {})[0]?.deliveries).toBe(30);
    expect(head?.executions).toHaveLength(1);
  });
});
