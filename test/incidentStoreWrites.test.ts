import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoIncidentStore, ensureIncidentTable } from '@tourniquet/aws';
import {
  createPlanner,
  type IncidentEvent,
  parseConfig,
  triage,
  updateIncident,
} from '@tourniquet/core';
import { IncidentRecordingStarter } from '@tourniquet/tickets';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvent } from './helpers/events';
import { useMoto } from './helpers/moto';
import { OncePerIncidentStarter } from './helpers/oncePerIncidentStarter';

const TABLE = 'tourniquet-incidents-writes';
const EXECUTION = 'payments-api-exec-1';

const opened: IncidentEvent = {
  type: 'opened',
  title: 'Execution:Runtime/ReverseShell on pod payments/api',
  severity: 'HIGH',
  account: '111122223333',
  region: 'us-east-1',
  cluster: 'prod-eks-01',
  subject: 'pod payments/api',
};
/** GuardDuty publishes a finding again with a greater count and a later lastSeen. */
const lastSeenOf = (count: number) =>
  new Date(Date.parse('2026-11-23T10:00:00.000Z') + count * 1000).toISOString();
/** A delivery of finding f-1. */
const seen = (eventId: string, count: number): IncidentEvent => ({
  type: 'finding-seen',
  eventId,
  finding: {
    id: 'f-1',
    origin: 'guardduty',
    type: 'Execution:Runtime/ReverseShell',
    title: 'Reverse shell',
    severity: 'HIGH',
    count,
    firstSeen: '2026-11-23T10:00:00.000Z',
    lastSeen: lastSeenOf(count),
    securityHubId: null,
  },
});
const joined: IncidentEvent = { type: 'execution-joined', name: EXECUTION, findingId: 'f-1' };
const meta = () => ({ actor: 'test', at: new Date().toISOString() });

/**
 * What the incident store costs in DynamoDB writes (each request, as billed and throttled), and
 * that the hot path's counters stay exact: deliveries, count, lastSeen and joins.
 */
describe('Incident store writes (DynamoDB on moto)', () => {
  const moto = useMoto();
  let dynamo: DynamoDBClient;
  let n = 0;
  const newKey = () => `111122223333:us-east-1:prod-eks-01:pod:payments/writes-${++n}`;

  /** A store on its own client, with the write requests it sends recorded by operation. */
  function countedStore() {
    const client = new DynamoDBClient(moto());
    const writes: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? '';
        if (!['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand'].includes(name))
          writes.push(name);
        return next(args);
      },
      { step: 'initialize', name: 'recordWrites' },
    );
    return { store: new DynamoIncidentStore({ client, tableName: TABLE }), writes };
  }

  /** An incident with finding f-1 (count 1) and a running execution. */
  async function incident(store: DynamoIncidentStore, key: string) {
    await store.append(key, null, [opened, seen(`${key}-0`, 1)], meta());
    await store.append(
      key,
      await store.head(key),
      [
        {
          type: 'execution-started',
          name: EXECUTION,
          playbook: 'contain-pod',
          plan: { playbook: 'contain-pod', reason: 'test', steps: [], skipped: [] },
        },
      ],
      meta(),
    );
  }

  async function tallyItem(key: string) {
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `INCIDENT#${key}` }, sk: { S: 'TALLY#F#f-1' } },
        ConsistentRead: true,
      }),
    );
    return Item ?? {};
  }

  beforeAll(async () => {
    dynamo = new DynamoDBClient(moto());
    await ensureIncidentTable(dynamo, TABLE);
  });

  it('a repeat sighting that joins the running execution costs a delivery put and one update', async () => {
    const { store, writes } = countedStore();
    const key = newKey();
    await incident(store, key);
    writes.length = 0;
    await store.append(key, await store.head(key), [seen('e-2', 2), joined], meta());
    expect(writes).toEqual(['PutItemCommand', 'UpdateItemCommand']);
    const head = await store.head(key);
    expect(head?.findings['f-1']).toMatchObject({ deliveries: 2, count: 2 });
    expect(head?.executions[0]?.joined).toBe(1);
  });

  it('a late, older sighting costs one update too, and lastSeen and count stay the latest', async () => {
    const { store, writes } = countedStore();
    const key = newKey();
    await incident(store, key);
    await store.append(key, await store.head(key), [seen('e-9', 9)], meta());
    writes.length = 0;
    await store.append(key, await store.head(key), [seen('e-5', 5), joined], meta());
    expect(writes).toEqual(['PutItemCommand', 'UpdateItemCommand']);
    const head = await store.head(key);
    expect(head?.findings['f-1']).toMatchObject({
      deliveries: 3,
      count: 9,
      lastSeen: lastSeenOf(9),
    });
    expect(head?.executions[0]?.joined).toBe(1);
  });

  it('a redelivered sighting counts nothing, the join it carried included', async () => {
    const { store } = countedStore();
    const key = newKey();
    await incident(store, key);
    await store.append(key, await store.head(key), [seen('e-2', 2), joined], meta());
    await store.append(key, await store.head(key), [seen('e-2', 2), joined], meta());
    const record = await store.get(key);
    expect(record?.incident.findings['f-1']?.deliveries).toBe(2);
    expect(record?.incident.executions[0]?.joined).toBe(1);
  });

  it('a redelivered repeat finding through triage joins its execution once', async () => {
    const { store } = countedStore();
    const starter = new IncidentRecordingStarter(new OncePerIncidentStarter(), {
      store,
      actor: 'triage',
    });
    const planner = createPlanner(parseConfig({}));
    const event = (id: string, count: number) => {
      const e = loadEvent('guardduty/runtime-reverse-shell-payments.json');
      e.id = id;
      e.detail.service.count = count;
      e.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name = 'payments-redelivered';
      e.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.uid = null;
      return e;
    };
    const first = await triage(event('first', 1), planner, starter);
    expect(first.execution?.status).toBe('started');
    await triage(event('repeat', 2), planner, starter);
    const again = await triage(event('repeat', 2), planner, starter);
    expect(again.execution?.status).toBe('duplicate');
    const head = await store.head(first.plan.incidentKey);
    expect(Object.values(head?.findings ?? {})).toEqual([
      expect.objectContaining({ deliveries: 2, count: 2 }),
    ]);
    expect(head?.executions).toEqual([expect.objectContaining({ joined: 1 })]);
  });

  it('deliveries, count, lastSeen and joins stay exact when sightings race, out of order and redelivered', async () => {
    const { store } = countedStore();
    const key = newKey();
    await incident(store, key);
    const N = 120;
    // Every delivery twice, in a shuffled order: counts arrive late and early.
    const deliveries = [...Array.from({ length: N }, (_, i) => i + 2)].flatMap((c) => [c, c]);
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j] as number, deliveries[i] as number];
    }
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < deliveries.length; i = next++) {
        const count = deliveries[i] as number;
        await updateIncident(store, key, () => [seen(`e-${count}`, count), joined], {
          actor: 'test',
          attempts: 25,
        });
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const record = await store.get(key);
    expect(record?.incident.findings['f-1']).toMatchObject({
      deliveries: N + 1,
      count: N + 1,
      lastSeen: lastSeenOf(N + 1),
    });
    expect(record?.incident.executions[0]?.joined).toBe(N);
    expect(await store.head(key)).toEqual(record?.incident);
    // Marks left by racing writers go with the next sighting that reads them.
    await store.append(key, await store.head(key), [seen('e-late', 3)], meta());
    const marks = Object.keys(await tallyItem(key)).filter((name) => name.startsWith('S#'));
    expect(marks).toEqual([`S#${lastSeenOf(N + 1)}#${N + 1}`]);
  });

  it('a repeat sighting whose count is not a finite number is refused, naming the count, and writes nothing', async () => {
    const { store, writes } = countedStore();
    const key = newKey();
    await incident(store, key);
    const bad = seen('e-nan', 2) as Extract<IncidentEvent, { type: 'finding-seen' }>;
    bad.finding.count = Number.NaN;
    writes.length = 0;
    await expect(store.append(key, await store.head(key), [bad], meta())).rejects.toThrow(
      /finding f-1 on incident .*: count must be a finite number, got NaN/,
    );
    expect(writes).toEqual([]);
  });

  it('tally items written before marks (lastSeen and count attributes, an execution item) still count', async () => {
    const { store } = countedStore();
    const key = newKey();
    await incident(store, key);
    const lastSeen = lastSeenOf(7);
    await dynamo.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `INCIDENT#${key}` },
          sk: { S: 'TALLY#F#f-1' },
          findingId: { S: 'f-1' },
          count: { N: '7' },
          lastSeen: { S: lastSeen },
          deliveries: { N: '3' },
        },
      }),
    );
    await dynamo.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `INCIDENT#${key}` },
          sk: { S: `TALLY#X#${EXECUTION}` },
          execution: { S: EXECUTION },
          joined: { N: '2' },
        },
      }),
    );
    await store.append(key, await store.head(key), [seen('e-5', 5), joined], meta());
    let head = await store.head(key);
    expect(head?.findings['f-1']).toMatchObject({ deliveries: 5, count: 7, lastSeen });
    expect(head?.executions[0]?.joined).toBe(3);
    await store.append(key, head, [seen('e-8', 8), joined], meta());
    head = await store.head(key);
    expect(head?.findings['f-1']).toMatchObject({ deliveries: 6, count: 8 });
    expect(head?.executions[0]?.joined).toBe(4);
  });

  it('a burst of 150 findings on one pod through triage costs at most 3 writes per finding', {
    timeout: 600_000,
  }, async () => {
    const { store, writes } = countedStore();
    const starter = new IncidentRecordingStarter(new OncePerIncidentStarter(), {
      store,
      actor: 'triage',
    });
    const planner = createPlanner(parseConfig({}));
    const template = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    const N = 150;
    let next = 0;
    let failed = 0;
    const worker = async () => {
      for (let i = next++; i < N; i = next++) {
        const e = structuredClone(template);
        e.id = `burst-${i}`;
        e.detail.service.count = i + 1;
        e.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name = 'payments-burst';
        e.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.uid = null;
        await triage(e, planner, starter).catch(() => failed++);
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(failed).toBe(0);
    expect(writes.length / N).toBeLessThanOrEqual(3);
    const [head] = await store.list();
    expect(Object.values(head?.findings ?? {})).toEqual([
      expect.objectContaining({ deliveries: N, count: N }),
    ]);
    expect(head?.executions).toEqual([expect.objectContaining({ joined: N - 1 })]);
  });

  // The update expression the hot path relies on, as DynamoDB documents it.
  it('one UpdateItem sets and removes attributes named with "#" and adds to absent counters', async () => {
    const Key = { pk: { S: 'EXPRESSION' }, sk: { S: 'one' } };
    const update = (expression: string, names: Record<string, string>) =>
      dynamo.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key,
          UpdateExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      );
    await update('SET #a = :one ADD #n :one, #j :one', {
      '#a': 'S#2026-11-23T10:00:01.000Z#1',
      '#n': 'deliveries',
      '#j': 'J#exec-1',
    });
    await update('SET #b = :one REMOVE #a ADD #n :one, #j :one', {
      '#a': 'S#2026-11-23T10:00:01.000Z#1',
      '#b': 'S#2026-11-23T10:00:02.000Z#2',
      '#n': 'deliveries',
      '#j': 'J#exec-2',
    });
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: TABLE, Key, ConsistentRead: true }),
    );
    expect(Item).toEqual({
      ...Key,
      'S#2026-11-23T10:00:02.000Z#2': { N: '1' },
      deliveries: { N: '2' },
      'J#exec-1': { N: '1' },
      'J#exec-2': { N: '1' },
    });
  });
});
