import { ACTIONS } from '@tourniquet/actions';
import { parseConfig, playbookDefinition, reachOf, STATE_MACHINE_NAMES } from '@tourniquet/core';
import { parseApprovalSettings } from '@tourniquet/slack';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';
import { infraViolations, type RecordedResource } from './helpers/infraChecks';
import { installPulumiMocks, resolved } from './helpers/pulumiMocks';

/**
 * The SST program evaluated offline with Pulumi's mocks (as in infra.test.ts), for a
 * configuration with clusters in two VPCs and one reached through its public endpoint.
 */
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
let resources: RecordedResource[];

const VPC_A = {
  mode: 'vpc' as const,
  subnetIds: ['subnet-0aa0000000000000a', 'subnet-0aa0000000000000b'],
  securityGroupId: 'sg-0aa0000000000000c',
};
const VPC_B = {
  mode: 'vpc' as const,
  subnetIds: ['subnet-0bb0000000000000a'],
  securityGroupId: 'sg-0bb0000000000000c',
};
const config = parseConfig({
  clusters: [
    { name: 'prod-a', account: ACCOUNT, region: REGION, access: VPC_A },
    // Same subnets and group, other order: the same reach, no second copy.
    {
      name: 'prod-a2',
      account: ACCOUNT,
      region: REGION,
      access: { ...VPC_A, subnetIds: [...VPC_A.subnetIds].reverse() },
    },
    { name: 'prod-b', account: ACCOUNT, region: REGION, access: VPC_B },
    { name: 'dev', account: ACCOUNT, region: REGION },
  ],
});
const A = reachOf(VPC_A).key;
const B = reachOf(VPC_B).key;
const KUBE_ACTIONS = Object.values(ACTIONS)
  .filter((a) => a.permissions.kubernetes.length > 0)
  .map((a) => a.name);
const AWS_ONLY = Object.values(ACTIONS)
  .filter((a) => a.permissions.kubernetes.length === 0)
  .map((a) => a.name);

beforeAll(async () => {
  const mocks = installPulumiMocks({ account: () => ACCOUNT, region: REGION, stage: 'test' });
  resources = mocks.resources;
  const { stageSettings } = await mocks.load('infra/settings.ts');
  const { tourniquet } = await mocks.load('infra/index.ts');
  const outputs = await tourniquet({
    ...stageSettings('test', REPO_ROOT, 'tourniquet.config.json'),
    config,
    forwardFrom: [],
    approvals: parseApprovalSettings({}),
    tickets: { sinks: [] },
  });
  await resolved(outputs.stateMachines);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}, 120_000);

const of = (type: string) => resources.filter((r) => r.type === type);
const fn = (name: string) =>
  of('aws:lambda/function:Function').find((f) => f.inputs.name === `tourniquet-test-${name}`);

describe('Infrastructure: clusters reached from VPCs', () => {
  it('keeps every invariant with the VPC copies', () => {
    expect(infraViolations(resources)).toEqual([]);
  });

  it('one copy of each Kubernetes-using action function per distinct VPC access, in that VPC', () => {
    expect(KUBE_ACTIONS).toContain('isolate-pod');
    for (const [key, access] of [
      [A, VPC_A],
      [B, VPC_B],
    ] as const) {
      for (const action of KUBE_ACTIONS) {
        const copy = fn(`${action}-${key}`);
        expect(copy?.inputs.vpcConfig, `${action}-${key}`).toEqual({
          subnetIds: [...access.subnetIds].sort(),
          securityGroupIds: [access.securityGroupId],
        });
        // Same code and role as the function outside the VPC.
        expect(copy?.inputs.role).toBe(fn(action)?.inputs.role);
        expect(copy?.inputs.handler).toBe(fn(action)?.inputs.handler);
      }
    }
    const vpcFunctions = of('aws:lambda/function:Function').filter((f) => f.inputs.vpcConfig);
    expect(vpcFunctions).toHaveLength(2 * KUBE_ACTIONS.length);
  });

  it('functions that only need AWS APIs stay outside any VPC, with no copy', () => {
    for (const name of [
      ...AWS_ONLY,
      ...KUBE_ACTIONS,
      'triage',
      'request-approval',
      'decide',
      'open-ticket',
      'escalate',
    ]) {
      expect(fn(name)?.inputs.vpcConfig, name).toBeUndefined();
    }
    for (const action of AWS_ONLY) {
      expect(fn(`${action}-${A}`), action).toBeUndefined();
      expect(fn(`${action}-${B}`), action).toBeUndefined();
    }
  });

  it("each reach's state machines call its copies for the Kubernetes steps and the shared functions for the rest", () => {
    const arn = (name: string) =>
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tourniquet-test-${name}`;
    const machines = of('aws:sfn/stateMachine:StateMachine');
    expect(machines).toHaveLength(3 * STATE_MACHINE_NAMES.length);
    for (const key of [A, B]) {
      const functions = {
        actions: Object.fromEntries(
          Object.keys(ACTIONS).map((a) => [
            a,
            arn(KUBE_ACTIONS.includes(a as never) ? `${a}-${key}` : a),
          ]),
        ) as never,
        approval: arn('request-approval'),
        ticket: arn('open-ticket'),
        escalate: arn('escalate'),
      };
      for (const name of STATE_MACHINE_NAMES) {
        const machine = machines.find((m) => m.inputs.name === `tourniquet-test-${name}-${key}`);
        expect(JSON.parse(machine?.inputs.definition), `${name}-${key}`).toEqual(
          playbookDefinition(name, functions),
        );
      }
    }
  });

  it("triage may start every reach's state machines and knows them by playbook and reach; the playbooks may invoke the copies", () => {
    const triage = fn('triage');
    const env = JSON.parse(triage?.inputs.environment.variables.PLAYBOOK_STATE_MACHINES);
    expect(env[`contain-pod-${A}`]).toBe(
      `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:tourniquet-test-contain-pod-${A}`,
    );
    expect(env['contain-pod']).toBe(
      `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:tourniquet-test-contain-pod`,
    );
    const policies = of('aws:iam/rolePolicy:RolePolicy');
    const statements = (name: string) =>
      JSON.parse(policies.find((p) => p.name === name)?.inputs.policy).Statement as any[];
    const start = statements('TriagePolicy').find((s) =>
      [s.Action].flat().includes('states:StartExecution'),
    );
    expect([start?.Resource].flat()).toContain(env[`contain-pod-${B}`]);
    const invoke = statements('PlaybooksPolicy').find((s) => s.Sid === 'Invoke');
    expect(invoke?.Resource).toContain(
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tourniquet-test-isolate-pod-${B}`,
    );
  });

  it('the roles of copied functions may manage the VPC network interfaces Lambda creates', () => {
    const attachments = of('aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) =>
      String(a.inputs.policyArn).endsWith('/AWSLambdaVPCAccessExecutionRole'),
    );
    expect(attachments.map((a) => a.name).sort()).toEqual(
      KUBE_ACTIONS.map(
        (a) => `${a.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase())}VpcAccess`,
      ).sort(),
    );
  });
});
