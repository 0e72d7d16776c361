import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoIncidentStore, ensureIncidentTable } from '@tourniquet/aws';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEvent } from './helpers/events';
import { useMoto } from './helpers/moto';
import { passingPlaybooks, triageContext, triageEnvironment } from './helpers/triageEnv';

const context = triageContext('c6af9ac6-7b61-11e6-9a41-93e812345678');

/**
 * The triage Lambda handler end to end: middy + Powertools (Parser, Idempotency), the real
 * planner, the real Step Functions starter against moto's StepFunctions, and the incident store
 * and blast-radius ledger in moto's DynamoDB.
 */
describe('Handler: triage', () => {
  const moto = useMoto();
  const stateMachines: Record<string, string> = {};
  let sfn: SFNClient;
  let handler: (event: unknown, context: Context) => Promise<any>;
  let powertools: typeof import('../functions/lib/powertools');
  let incidents: DynamoIncidentStore;
  const TABLE = 'tourniquet-incidents';

  beforeAll(async () => {
    const aws = moto();
    sfn = new SFNClient(aws);
    const dynamo = new DynamoDBClient(aws);
    await ensureIncidentTable(dynamo, TABLE);
    incidents = new DynamoIncidentStore({ client: dynamo, tableName: TABLE });
    Object.assign(stateMachines, await passingPlaybooks(sfn));
    Object.assign(
      process.env,
      triageEnvironment({ endpoint: aws.endpoint, stateMachines, incidentsTable: TABLE }),
    );
    // A Lambda handler reads its environment when loaded: load it afresh, as a cold start
    // does, not as another file of this worker left it.
    vi.resetModules();
    handler = (await import('../functions/triage')).handler as unknown as typeof handler;
    powertools = await import('../functions/lib/powertools');
  });

  async function executions(playbook: string) {
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stateMachines[playbook] }),
    );
    return executions;
  }

  it('starts one contain-pod execution for a pod finding, named after the incident', async () => {
    const result = await handler(
      loadEvent('guardduty/runtime-reverse-shell-payments.json'),
      context,
    );
    expect(result).toMatchObject({
      incidentKey: '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp',
      playbook: 'contain-pod',
      execution: { status: 'started' },
    });
    const runs = await executions('contain-pod');
    expect(runs.map((r) => r.name)).toEqual([result.execution.name]);
  });

  it('a repeat of the finding and another finding on the same pod join it: still one execution', async () => {
    const repeat = await handler(
      loadEvent('guardduty/runtime-reverse-shell-payments-repeat.json'),
      context,
    );
    expect(repeat.execution.status).toBe('duplicate');
    const other = loadEvent('guardduty/runtime-cc-activity-checkout.json');
    const first = await handler(other, context);
    const again = await handler(loadEvent('guardduty/runtime-new-binary-checkout.json'), context);
    expect(first.execution.status).toBe('started');
    expect(again.execution).toEqual({ status: 'duplicate', name: first.execution.name });
    expect(await executions('contain-pod')).toHaveLength(2);
  });

  it('records the incident with every finding that joined it, once per delivery', async () => {
    const key = '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp';
    const record = await incidents.get(key);
    expect(record?.incident.status).toBe('open');
    expect(record?.incident.executions.map((e) => e.playbook)).toEqual(['contain-pod']);
    const [sighting] = Object.values(record?.incident.findings ?? {});
    // The original and its re-publication (count 2): one finding, two deliveries.
    expect(sighting).toMatchObject({ type: 'Execution:Runtime/ReverseShell', deliveries: 2 });
  });

  it('a redelivered event (same EventBridge id and body) returns the first answer and does nothing again', async () => {
    const event = loadEvent('guardduty/runtime-crypto-miner-data-critical.json');
    const first = await handler(event, context);
    const key = first.incidentKey as string;
    const before = await incidents.get(key);
    const startsBefore = (await executions(first.playbook)).length;
    const again = await handler(structuredClone(event), context);
    expect(again).toEqual(first);
    expect((await executions(first.playbook)).length).toBe(startsBefore);
    expect((await incidents.get(key))?.incident.version).toBe(before?.incident.version);
  });

  it('two invocations racing on one incident start one execution and record both findings', async () => {
    const a = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    const b = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    // Same pod, two different findings, arriving together.
    a.id = 'race-a';
    b.id = 'race-b';
    a.detail.id = 'race-finding-a';
    b.detail.id = 'race-finding-b';
    for (const e of [a, b]) {
      e.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name = 'payments-race';
      e.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.uid = null;
    }
    const [ra, rb] = await Promise.all([handler(a, context), handler(b, context)]);
    expect(ra.incidentKey).toBe(rb.incidentKey);
    expect([ra.execution.status, rb.execution.status].sort()).toEqual(['duplicate', 'started']);
    expect(ra.execution.name).toBe(rb.execution.name);
    const record = await incidents.get(ra.incidentKey);
    expect(Object.keys(record?.incident.findings ?? {}).sort()).toEqual([
      'race-finding-a',
      'race-finding-b',
    ]);
  });

  it('an event with nothing to do starts nothing and says why', async () => {
    const result = await handler(
      loadEvent('cloudtrail/irsa-assume-web-identity-inside-vpc.json'),
      context,
    );
    expect(result).toMatchObject({ playbook: null, execution: null });
    expect(result.reason).toMatch(/inside prod-eks-01's egress CIDRs/);
  });

  it('passes the plan (without the raw event) as the execution input', async () => {
    const result = await handler(loadEvent('config/restricted-ssh-noncompliant.json'), context);
    const [run] = await executions('remediate-config');
    const { input } = await sfn.send(
      new DescribeExecutionCommand({ executionArn: run?.executionArn }),
    );
    const parsed = JSON.parse(input as string);
    expect(parsed).toMatchObject({
      incidentKey: result.incidentKey,
      playbook: 'remediate-config',
      steps: [{ action: 'revoke-open-ingress', approval: 'required' }, { action: 'open-ticket' }],
    });
    expect(parsed.finding.raw).toBeUndefined();
  });

  it.each([
    [{ hello: 'world' }, /invalid EventBridge event: id: /],
    [
      {
        ...loadEvent('guardduty/runtime-reverse-shell-payments.json'),
        source: 'aws.s3',
        'detail-type': 'Object Created',
      },
      /source "aws\.s3"/,
    ],
    [
      { ...loadEvent('guardduty/runtime-reverse-shell-payments.json'), detail: { type: 'x' } },
      /invalid GuardDuty finding: detail\.id/,
    ],
  ])(
    'rejects a bad event loudly (logged, counted, thrown for the DLQ) — %#',
    async (event, reason) => {
      const logged = vi.spyOn(powertools.logger, 'error');
      const counted = vi.spyOn(powertools.metrics, 'addMetric');
      await expect(handler(event, context)).rejects.toMatchObject({
        name: 'RejectedEventError',
        message: expect.stringMatching(reason),
      });
      expect(logged).toHaveBeenCalledWith(
        'event rejected',
        expect.objectContaining({ reason: expect.stringMatching(reason) }),
      );
      expect(counted).toHaveBeenCalledWith('RejectedEvents', 'Count', 1);
      logged.mockRestore();
      counted.mockRestore();
    },
  );
});
