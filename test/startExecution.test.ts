import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StepFunctionsPlaybookStarter } from '@tourniquet/aws';
import {
  createPlanner,
  executionName,
  normaliseEvent,
  playbookInput,
  triage,
} from '@tourniquet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig } from './helpers/events';
import { useMoto } from './helpers/moto';

const moto = useMoto();
const planner = createPlanner(sampleConfig());
const planOf = (file: string) => planner.plan(normaliseEvent(loadEvent(file)));
const AT = new Date('2026-11-23T12:00:00Z');

/**
 * StartExecution on a Standard workflow, as AWS documents it and as moto implements it: the same
 * name with identical input while the execution runs succeeds and returns the original execution
 * (its start date); other input, or a closed execution, is ExecutionAlreadyExists.
 */
describe('StartExecution idempotency (moto matches AWS)', () => {
  let client: SFNClient;
  let stateMachineArn: string;
  beforeAll(async () => {
    client = new SFNClient(moto());
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'contain-pod',
        roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
        definition: JSON.stringify({
          StartAt: 'Wait',
          States: { Wait: { Type: 'Pass', End: true } },
        }),
      }),
    );
    stateMachineArn = created.stateMachineArn as string;
  });
  const starter = (options: { clockSkewMs?: number; clock?: () => Date } = {}) =>
    new StepFunctionsPlaybookStarter({
      client,
      stateMachines: { 'contain-pod': stateMachineArn },
      ...options,
    });

  it('identical input on a running execution succeeds with the original start date, and triage reports it joined', async () => {
    const plan = planOf('guardduty/runtime-reverse-shell-payments.json');
    const first = await starter({ clockSkewMs: 0 }).start(plan, AT);
    expect(first.status).toBe('started');
    const original = await client.send(
      new DescribeExecutionCommand({ executionArn: first.executionArn as string }),
    );
    const again = await client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: first.executionName,
        input: JSON.stringify(playbookInput(plan)),
      }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(original.startDate);
    const repeat = await starter({ clockSkewMs: 0 }).start(plan, AT);
    expect(repeat).toEqual({
      status: 'duplicate',
      executionName: first.executionName,
      executionArn: first.executionArn,
    });
  });

  it('other input under the same name is ExecutionAlreadyExists, which also joins', async () => {
    const plan = planOf('guardduty/runtime-reverse-shell-payments-repeat.json');
    const name = executionName(plan.incidentKey, AT);
    await expect(
      client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name,
          input: JSON.stringify(playbookInput(plan)),
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect((await starter().start(plan, AT)).status).toBe('duplicate');
  });

  it('identical input on a closed execution is ExecutionAlreadyExists', async () => {
    const plan = planOf('guardduty/runtime-cc-activity-checkout.json');
    const first = await starter().start(plan, AT);
    expect(first.status).toBe('started');
    await client.send(new StopExecutionCommand({ executionArn: first.executionArn as string }));
    await expect(
      client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: first.executionName,
          input: JSON.stringify(playbookInput(plan)),
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect((await starter().start(plan, AT)).status).toBe('duplicate');
  });

  it('triage retried with the same event reports the execution joined, not started again', async () => {
    const event = loadEvent('guardduty/runtime-crypto-miner-hostnetwork-batch.json');
    const first = await triage(event, planner, starter({ clockSkewMs: 0 }), AT);
    const retried = await triage(event, planner, starter({ clockSkewMs: 0 }), AT);
    expect(first.execution?.status).toBe('started');
    expect(retried.execution).toEqual({ ...first.execution, status: 'duplicate' });
  });

  it('a fresh start is counted as started even when the caller clock runs ahead', async () => {
    const plan = planOf('guardduty/runtime-crypto-miner-data-critical.json');
    const ahead = () => new Date(Date.now() + 500);
    expect((await starter({ clock: ahead }).start(plan, AT)).status).toBe('started');
  });
});
