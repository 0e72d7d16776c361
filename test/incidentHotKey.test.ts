import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
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

const TABLE = 'tourniquet-incidents-hot';
// Five times the 50 in flight keeps every write contended; HOT_N=1000 (or more) soaks longer.
const N = Number(process.env.HOT_N ?? 250);

describe('Incident store: one pod, many findings (DynamoDB on moto)', () => {
  const moto = useMoto();
  let dynamo: DynamoDBClient;
  beforeAll(async () => {
    dynamo = new DynamoDBClient(moto());
    await ensureIncidentTable(dynamo, TABLE);
  });

  it(`${N} findings on one pod, 50 in flight: none fails and every delivery is recorded`, {
    timeout: 1_800_000,
  }, async () => {
    const store = new DynamoIncidentStore({ client: dynamo, tableName: TABLE });
    const starter = new IncidentRecordingStarter(new OncePerIncidentStarter(), {
      store,
      actor: 'triage',
    });
    const planner = createPlanner(parseConfig({}));
    const event = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    // As many in flight as triage's reserved concurrency would run at once.
    const results: PromiseSettledResult<unknown>[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < N; i = next++) {
        const finding = {
          ...event,
          id: `hot-${i}`,
          detail: { ...event.detail, service: { ...event.detail.service, count: i + 1 } },
        };
        results.push(
          await triage(finding, planner, starter).then(
            (value) => ({ status: 'fulfilled', value }) as const,
            (reason) => ({ status: 'rejected', reason }) as const,
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(results).toHaveLength(N);
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const heads = await store.list();
    expect(heads).toHaveLength(1);
    const [head] = heads;
    const [finding] = Object.values(head?.findings ?? {});
    expect(finding?.deliveries).toBe(N);
    expect(finding?.count).toBe(N);
    expect(head?.executions).toHaveLength(1);
    expect(head?.executions[0]?.joined).toBe(N - 1);
  });

  it('a redelivered event of a known finding is counted once', async () => {
    const store = new DynamoIncidentStore({ client: dynamo, tableName: TABLE });
    const key = '111122223333:us-east-1:prod-eks-01:pod:payments/redelivered';
    const seen = (eventId: string): IncidentEvent => ({
      type: 'finding-seen',
      eventId,
      finding: {
        id: 'f-1',
        origin: 'guardduty',
        type: 'Execution:Runtime/ReverseShell',
        title: 'Reverse shell',
        severity: 'HIGH',
        count: 1,
        firstSeen: '2026-11-23T10:00:00.000Z',
        lastSeen: '2026-11-23T10:00:00.000Z',
        securityHubId: null,
      },
    });
    const opened: IncidentEvent = {
      type: 'opened',
      title: 't',
      severity: 'HIGH',
      account: '111122223333',
      region: 'us-east-1',
      cluster: 'prod-eks-01',
      subject: 'pod payments/redelivered',
    };
    const meta = { actor: 'test', at: new Date().toISOString() };
    const first = await store.append(key, null, [opened, seen('e-1')], meta);
    await store.append(key, await store.head(key), [seen('e-2')], meta);
    await store.append(key, await store.head(key), [seen('e-2')], meta);
    const head = await store.head(key);
    expect(head?.findings['f-1']?.deliveries).toBe(2);
    // Repeat sightings do not rewrite the incident item.
    expect(head?.version).toBe(first.version);
  });

  it('a transaction cancelled for TransactionConflict is retried as a conflict', async () => {
    // moto serialises requests and never reports TransactionConflict; DynamoDB does when
    // transactions on the same item overlap. Inject exactly that answer once.
    const client = new DynamoDBClient(moto());
    let injected = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && injected === 0) {
          injected++;
          throw new TransactionCanceledException({
            message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
            $metadata: {},
            CancellationReasons: [
              { Code: 'None' },
              { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
            ],
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectTransactionConflict' },
    );
    const store = new DynamoIncidentStore({ client, tableName: TABLE });
    const key = '111122223333:us-east-1:prod-eks-01:pod:payments/conflicted';
    const head = await updateIncident(
      store,
      key,
      (current) =>
        current
          ? []
          : [
              {
                type: 'opened',
                title: 't',
                severity: 'HIGH',
                account: '111122223333',
                region: 'us-east-1',
                cluster: 'prod-eks-01',
                subject: 'pod payments/conflicted',
              },
            ],
      { actor: 'test' },
    );
    expect(injected).toBe(1);
    expect(head).toMatchObject({ key, version: 1, status: 'open' });
    expect((await store.get(key))?.audit).toHaveLength(1);
  });
});
