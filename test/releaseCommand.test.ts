import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import {
  createDynamoIncidentStore,
  DynamoActionJournal,
  ensureIncidentTable,
  type IncidentEvent,
} from '@tourniquet/aws';
import { main } from '@tourniquet/cli';
import { functionArnsFor, type PlaybookInput, playbookDefinition } from '@tourniquet/core';
import type { ReplayRecord } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';
import { useMoto } from './helpers/moto';

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: REPO_ROOT,
  });
  const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
  return { code, stdout, stderr, json: lines.map((l) => JSON.parse(l)) };
}

const incidents = () => join(mkdtempSync(join(tmpdir(), 'tourniquet-release-')), 'incidents.json');

describe('CLI: tourniquet replay --release (contain, then release, in one emulator run)', () => {
  it('approved: every containment step is undone and the pod, node and role are back', async () => {
    const { code, json } = await cli([
      'replay',
      '--approve',
      'all',
      '--release',
      '--incidents',
      incidents(),
      '--json',
      POD_FINDING,
    ]);
    expect(code).toBe(0);
    const [contained, released] = json as ReplayRecord[];
    expect(contained).toMatchObject({ playbook: 'contain-pod', status: 'SUCCEEDED' });
    expect(contained?.state?.pod?.isolated).toBe(true);
    expect(released).toMatchObject({
      playbook: 'release',
      status: 'SUCCEEDED',
      incidentKey: contained?.incidentKey,
      state: {
        pod: { isolated: false, mechanisms: [] },
        node: { schedulable: true },
        role: { revocationPolicy: false },
      },
    });
    const undone = released?.actions.filter((a) => a.action !== 'open-ticket') ?? [];
    expect(undone.map((a) => a.action).sort()).toEqual(
      contained?.actions
        .filter((a) => a.status === 'applied' && a.action !== 'open-ticket')
        .filter((a) => a.action !== 'capture-evidence')
        .map((a) => a.action)
        .sort(),
    );
    expect(undone.every((a) => a.status === 'applied' && a.detail.startsWith('restored'))).toBe(
      true,
    );
  });

  it('denied: a release needs approval like any destructive step, and nothing is undone', async () => {
    const { code, json } = await cli([
      'replay',
      '--approve',
      'none',
      '--release',
      '--incidents',
      incidents(),
      '--json',
      POD_FINDING,
    ]);
    expect(code).toBe(0);
    const [contained, released] = json as ReplayRecord[];
    expect(contained?.state?.pod?.isolated).toBe(true);
    expect(released).toMatchObject({ playbook: 'release', status: 'DENIED' });
    expect(released?.state?.pod?.isolated).toBe(true);
    expect(
      released?.actions.filter((a) => a.action !== 'open-ticket').map((a) => a.status),
    ).not.toContain('applied');
  });
});

describe('CLI: tourniquet release (a deployed stage, against moto)', () => {
  const moto = useMoto();
  const stage = 'test';
  const tableName = `tourniquet-${stage}-incidents`;
  const key = '123456789012:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp';
  const saved = { ...process.env };
  let id = '';
  let sfn: SFNClient;

  beforeAll(async () => {
    const { endpoint, region, credentials } = moto();
    // The command uses the SDK's default chain and endpoint resolution, as for an operator.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    const client = new DynamoDBClient({ endpoint, region, credentials });
    await ensureIncidentTable(client, tableName);
    const store = createDynamoIncidentStore({ tableName, region, endpoint, credentials });
    const opened: IncidentEvent = {
      type: 'opened',
      // The record's text never chooses a target: this subject names another pod.
      title: 'Execution:Runtime/ReverseShell on pod payments/payments-api-7d9f8b6c5-x2kqp',
      severity: 'HIGH',
      account: '123456789012',
      region,
      cluster: 'prod-eks-01',
      subject: 'pod kube-system/coredns-0',
    };
    const head = await store.append(key, null, [opened], {
      actor: 'triage',
      at: new Date().toISOString(),
    });
    id = head.id;
    const journal = new DynamoActionJournal({ client, tableName });
    const at = new Date();
    const pod = {
      kind: 'pod',
      namespace: 'payments',
      name: 'payments-api-7d9f8b6c5-x2kqp',
      uid: 'u-1',
    };
    await journal.record(
      {
        incidentKey: key,
        action: 'isolate-pod',
        target: 'pod/payments/payments-api-7d9f8b6c5-x2kqp',
        cluster: 'prod-eks-01',
        region,
        subject: pod,
        before: { eni: 'eni-1', groups: ['sg-1'] },
      },
      at,
    );
    await journal.record(
      {
        incidentKey: key,
        action: 'cordon-node',
        target: 'node/i-0123456789abcdef0',
        cluster: 'prod-eks-01',
        region,
        subject: { kind: 'node', instanceId: 'i-0123456789abcdef0' },
        before: { unschedulable: false },
      },
      at,
    );
    // Released already by an earlier release: never undone twice.
    await journal.record(
      {
        incidentKey: key,
        action: 'label-pod',
        target: 'pod/payments/payments-api-7d9f8b6c5-x2kqp',
        cluster: 'prod-eks-01',
        region,
        subject: pod,
        before: {},
      },
      at,
    );
    await journal.markReleased(key, 'label-pod', 'pod/payments/payments-api-7d9f8b6c5-x2kqp', at);
    sfn = new SFNClient({ endpoint, region, credentials });
    await sfn.send(
      new CreateStateMachineCommand({
        name: `tourniquet-${stage}-release`,
        roleArn: 'arn:aws:iam::123456789012:role/tourniquet-states',
        definition: JSON.stringify(playbookDefinition('release', functionArnsFor('tourniquet'))),
      }),
    );
  });

  afterAll(() => {
    process.env = saved;
  });

  it('starts the release state machine with the journal steps, every one behind approval', async () => {
    const { code, json, stderr } = await cli(['release', id, '--stage', stage, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [answer] = json;
    expect(answer).toMatchObject({ incidentKey: key, status: 'started' });
    expect(
      [...answer.steps].sort((a: { action: string }, b: { action: string }) =>
        a.action.localeCompare(b.action),
      ),
    ).toEqual([
      { action: 'cordon-node', target: 'node/i-0123456789abcdef0' },
      { action: 'isolate-pod', target: 'pod/payments/payments-api-7d9f8b6c5-x2kqp' },
    ]);
    const execution = await sfn.send(
      new DescribeExecutionCommand({ executionArn: answer.executionArn }),
    );
    const input = JSON.parse(execution.input ?? '{}') as PlaybookInput;
    expect(input.playbook).toBe('release');
    expect(input.approval.required).toBe(true);
    expect([...input.approval.actions].sort()).toEqual(['cordon-node', 'isolate-pod']);
    expect(
      input.steps.filter((s) => s.action !== 'open-ticket').every((s) => s.approval === 'required'),
    ).toBe(true);
    // The input says which undo Tasks run; what they restore is only in the journal.
    expect(execution.input).not.toContain('sg-1');
    expect(execution.input).not.toContain('eni-1');
  });

  it('an unknown incident starts nothing and exits 2', async () => {
    const before = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:tourniquet-${stage}-release`,
      }),
    );
    const { code, stderr } = await cli(['release', 'tq-0000000000000000', '--stage', stage]);
    expect(code).toBe(2);
    expect(stderr).toBe(`tourniquet release: no incident tq-0000000000000000 in ${tableName}\n`);
    const after = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:tourniquet-${stage}-release`,
      }),
    );
    expect(after.executions?.length).toBe(before.executions?.length);
  });

  it('--help documents the approval and the local way', async () => {
    const { code, stdout } = await cli(['release', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/waits for approval/);
    expect(stdout).toMatch(/tourniquet replay --release/);
  });
});
