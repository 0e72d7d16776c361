import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  DynamoIncidentStore,
  ensureIncidentTable,
  StepFunctionsPlaybookStarter,
} from '@tourniquet/aws';
import {
  CLAIM_LEASE_SECONDS,
  createPlanner,
  type Plan,
  type PlaybookStarter,
  parseConfig,
  type StartedPlaybook,
  triage,
  updateIncident,
} from '@tourniquet/core';
import { IncidentRecordingStarter } from '@tourniquet/tickets';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvent } from './helpers/events';
import { useMoto } from './helpers/moto';

const TABLE = 'tourniquet-incidents-running';
const planner = createPlanner(parseConfig({}));
/** 12:30 and 13:10 fall in different one-hour execution windows (different execution names). */
const T0 = new Date('2026-11-23T12:30:00Z');
const seconds = (s: number) => new Date(T0.getTime() + s * 1000);

/** A finding on `pod`, delivered as EventBridge event `id`. */
function finding(pod: string, id: string, count = 1) {
  const event = loadEvent('guardduty/runtime-reverse-shell-payments.json');
  event.id = id;
  event.detail.service.count = count;
  event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name = pod;
  event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.uid = null;
  return event;
}

/** The Lambda dies between its claim and StartExecution, once. */
class FailingOnce implements PlaybookStarter {
  private failed = false;
  constructor(private readonly inner: PlaybookStarter) {}
  async start(plan: Plan, at: Date): Promise<StartedPlaybook> {
    if (!this.failed) {
      this.failed = true;
      throw new Error('Task timed out');
    }
    return this.inner.start(plan, at);
  }
}

describe('Triage: no StartExecution while the incident has a running execution (moto)', () => {
  const moto = useMoto();
  let sfn: SFNClient;
  let store: DynamoIncidentStore;
  let stateMachineArn: string;
  let startCalls = 0;

  beforeAll(async () => {
    const dynamo = new DynamoDBClient(moto());
    await ensureIncidentTable(dynamo, TABLE);
    store = new DynamoIncidentStore({ client: dynamo, tableName: TABLE });
    sfn = new SFNClient(moto());
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'contain-pod',
        roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
        // moto is configured not to execute state machines: every execution stays RUNNING.
        definition: JSON.stringify({
          StartAt: 'Wait',
          States: { Wait: { Type: 'Pass', End: true } },
        }),
      }),
    );
    stateMachineArn = created.stateMachineArn as string;
    sfn.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'StartExecutionCommand') startCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'countStarts' },
    );
  });

  /** Triage as the Lambda wires it, with the clock at `now`. */
  const triageAt = (event: unknown, now: Date, inner?: (p: PlaybookStarter) => PlaybookStarter) => {
    const aws = new StepFunctionsPlaybookStarter({
      client: sfn,
      stateMachines: { 'contain-pod': stateMachineArn },
      clock: () => now,
    });
    const starter = new IncidentRecordingStarter(inner ? inner(aws) : aws, {
      store,
      actor: 'triage',
      now: () => now,
    });
    return triage(event, planner, starter, now);
  };
  const executionsOf = async (pod: string) => {
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    return executions.filter((e) => e.name?.includes(pod));
  };
  const counting = async (act: () => Promise<unknown>) => {
    const before = startCalls;
    await act();
    return startCalls - before;
  };

  it('a burst of 40 findings on one pod calls StartExecution once and records every sighting', async () => {
    const pod = 'burst-api-0';
    let results: Awaited<ReturnType<typeof triageAt>>[] = [];
    const calls = await counting(async () => {
      results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => triageAt(finding(pod, `burst-${i}`, i + 1), T0)),
      );
    });
    expect(calls).toBe(1);
    expect(results.filter((r) => r.execution?.status === 'started')).toHaveLength(1);
    expect(await executionsOf(pod)).toHaveLength(1);
    const [head] = (await store.list()).filter((h) => h.subject.endsWith(pod));
    expect(Object.values(head?.findings ?? {})[0]?.deliveries).toBe(40);
    expect(head?.executions).toHaveLength(1);
    expect(head?.executions[0]).toMatchObject({ playbook: 'contain-pod', joined: 39 });
  });

  it('a finding in the next execution window joins the execution still running', async () => {
    const pod = 'window-api-0';
    await triageAt(finding(pod, 'window-1'), T0);
    let later: Awaited<ReturnType<typeof triageAt>> | undefined;
    const calls = await counting(async () => {
      later = await triageAt(finding(pod, 'window-2', 2), seconds(40 * 60));
    });
    expect(calls).toBe(0);
    expect(later?.execution).toMatchObject({ status: 'duplicate' });
    expect(await executionsOf(pod)).toHaveLength(1);
    const [head] = (await store.list()).filter((h) => h.subject.endsWith(pod));
    expect(Object.values(head?.findings ?? {})[0]?.deliveries).toBe(2);
  });

  it('once the run is recorded, a finding in the next window starts a new execution', async () => {
    const pod = 'ended-api-0';
    const first = await triageAt(finding(pod, 'ended-1'), T0);
    // The playbook's closing step records the run.
    await updateIncident(
      store,
      first.plan.incidentKey,
      () => [
        {
          type: 'actions-recorded',
          runId: 'run-1',
          playbook: 'contain-pod',
          mode: 'apply',
          outcomes: [],
        },
      ],
      { actor: 'playbook', now: () => seconds(120) },
    );
    const calls = await counting(() => triageAt(finding(pod, 'ended-2', 2), seconds(40 * 60)));
    expect(calls).toBe(1);
    expect(await executionsOf(pod)).toHaveLength(2);
  });

  it('a finding during a live claim joins; after the lease the next finding starts the execution', async () => {
    const pod = 'claim-api-0';
    await expect(
      triageAt(finding(pod, 'claim-1'), T0, (aws) => new FailingOnce(aws)),
    ).rejects.toThrow('Task timed out');
    const during = await counting(() => triageAt(finding(pod, 'claim-2', 2), seconds(10)));
    expect(during).toBe(0);
    expect(await executionsOf(pod)).toHaveLength(0);
    const after = await counting(() =>
      triageAt(finding(pod, 'claim-3', 3), seconds(CLAIM_LEASE_SECONDS + 1)),
    );
    expect(after).toBe(1);
    expect(await executionsOf(pod)).toHaveLength(1);
  });

  it("the claimer's redelivered event starts the execution at once", async () => {
    const pod = 'retry-api-0';
    await expect(
      triageAt(finding(pod, 'retry-1'), T0, (aws) => new FailingOnce(aws)),
    ).rejects.toThrow('Task timed out');
    const retry = await counting(() => triageAt(finding(pod, 'retry-1'), seconds(5)));
    expect(retry).toBe(1);
    expect(await executionsOf(pod)).toHaveLength(1);
  });
});
