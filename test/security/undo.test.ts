import {
  CreateSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  GetRoleCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ApiException } from '@kubernetes/client-node';
import { type ActionRuntime, getAction, runActionRequest } from '@tourniquet/actions';
import { incidentLabel } from '@tourniquet/core';
import type { KubeAdapter } from '@tourniquet/kube';
import { LocalWorld } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleConfig } from '../helpers/events';

/**
 * Undo is never input: release writes back only what the step journal recorded before each
 * change, and removes only what Tourniquet wrote. Each case is an attack or failure that
 * misled undo before the journal existed.
 */
const config = sampleConfig();
const finding = { cluster: 'prod-eks-01', region: 'us-east-1', lastSeen: '2026-11-23T12:00:00Z' };
const POD = {
  kind: 'pod',
  namespace: 'payments',
  name: 'payments-api-7d9f8b6c5-x2kqp',
  uid: null,
} as const;
const ACCOUNT = '111122223333';
const FOREIGN_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999988887777:root' },
      Action: 'sts:AssumeRole',
    },
  ],
});

let world: LocalWorld;
let n = 0;
/** A fresh incident key per case: journal entries never leak between cases. */
const incident = () => `${ACCOUNT}:us-east-1:prod-eks-01:pod:payments/redteam-${++n}`;
const aws = () => world.aws('us-east-1');
const trustOf = async (role: string) =>
  decodeURIComponent(
    (await aws().iam.send(new GetRoleCommand({ RoleName: role }))).Role
      ?.AssumeRolePolicyDocument as string,
  );
const inlineOf = async (role: string) =>
  (await aws().iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
const branchGroups = async () => {
  const { NetworkInterfaces = [] } = await aws().ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.12.77'] }],
    }),
  );
  return (NetworkInterfaces[0]?.Groups ?? []).map((g) => g.GroupId).sort();
};
const request = (incidentKey: string, action: string, extra: Record<string, unknown> = {}) => ({
  incidentKey,
  action,
  finding,
  ...extra,
});

beforeAll(async () => {
  world = await LocalWorld.start({ config });
});
afterAll(async () => world?.stop());

describe('Security: undo is never input', () => {
  it('a forged undo carrying a trust policy for another role writes nothing to that role', async () => {
    const victim = 'eks-ng-general-NodeInstanceRole';
    const before = await trustOf(victim);
    const outcome = await runActionRequest(
      request(incident(), 'block-web-identity', {
        mode: 'undo',
        target: {
          kind: 'web-identity',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/${victim}`,
          namespace: 'payments',
          serviceAccount: 'payments-api',
        },
        saved: { role: victim, original: FOREIGN_TRUST },
      }),
      world.runtime(),
    );
    expect(outcome.status).toBe('skipped');
    expect(await trustOf(victim)).toBe(before);
  });

  it('a forged revoke-role-sessions undo cannot put an Allow *:* policy on another role', async () => {
    const victim = 'checkout-web-irsa';
    const allowAll = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    await runActionRequest(
      request(incident(), 'revoke-role-sessions', {
        mode: 'undo',
        target: { kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/${victim}` },
        saved: { role: victim, existing: allowAll, cutoff: null },
      }),
      world.runtime(),
    );
    expect(await inlineOf(victim)).toEqual([]);
  });

  it('release after a partial apply (ENI swapped, NetworkPolicy create failed, retried) restores the original groups', async () => {
    const key = incident();
    const original = await branchGroups();
    const runtime = world.runtime();
    let failNext = true;
    const flaky: ActionRuntime = {
      ...runtime,
      kube: async (cluster) => {
        const adapter: KubeAdapter = await runtime.kube(cluster);
        const create = adapter.createNetworkPolicy.bind(adapter);
        adapter.createNetworkPolicy = async (namespace, body) => {
          if (failNext) {
            failNext = false;
            throw new ApiException(503, 'service unavailable', {}, {});
          }
          return create(namespace, body);
        };
        return adapter;
      },
    };
    const apply = request(key, 'isolate-pod', { mode: 'apply', target: POD });
    await expect(runActionRequest(apply, flaky)).rejects.toMatchObject({
      name: 'TransientActionError',
    });
    expect(await branchGroups()).not.toEqual(original);
    // The retry finds the ENI already swapped; its outcome knows nothing of the old groups.
    expect(await runActionRequest(apply, flaky)).toMatchObject({ status: 'applied' });
    await runActionRequest(request(key, 'isolate-pod', { mode: 'undo' }), runtime);
    expect(await branchGroups()).toEqual(original);
    expect(world.simulator('prod-eks-01').list('networking.k8s.io/v1', 'NetworkPolicy')).toEqual(
      [],
    );
  });

  it('release after a lost response (the repeat apply is skipped) still restores the pod', async () => {
    const key = incident();
    const original = await branchGroups();
    const apply = request(key, 'isolate-pod', { mode: 'apply', target: POD });
    await runActionRequest(apply, world.runtime()); // applied; the answer never reached the playbook
    const repeat = await runActionRequest(apply, world.runtime());
    expect(repeat).toMatchObject({ status: 'skipped' });
    expect((repeat as { undo: unknown }).undo).not.toBeNull();
    await runActionRequest(request(key, 'isolate-pod', { mode: 'undo' }), world.runtime());
    expect(await branchGroups()).toEqual(original);
    const pod = world.simulator('prod-eks-01').get('v1', 'Pod', POD.namespace, POD.name) as {
      metadata: { labels?: Record<string, string> };
    };
    expect(pod.metadata.labels?.['tourniquet.io/quarantine']).toBeUndefined();
  });

  it('release removes only its own trust-policy statement: an edit made since survives', async () => {
    const key = incident();
    const role = 'payments-api-irsa';
    const target = {
      kind: 'web-identity',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      namespace: 'payments',
      serviceAccount: 'payments-api',
    };
    await runActionRequest(
      request(key, 'block-web-identity', { mode: 'apply', target }),
      world.runtime(),
    );
    // An administrator tightens the trust policy while the incident is open.
    const during = JSON.parse(await trustOf(role));
    const adminEdit = {
      Sid: 'AdminDenyLegacy',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
    };
    during.Statement.push(adminEdit);
    await aws().iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: JSON.stringify(during) }),
    );
    await runActionRequest(request(key, 'block-web-identity', { mode: 'undo' }), world.runtime());
    const after = JSON.parse(await trustOf(role));
    expect(after.Statement).toContainEqual(adminEdit);
    expect(
      after.Statement.some((s: { Sid?: string }) => s.Sid?.startsWith('TourniquetBlock')),
    ).toBe(false);
    // Leave the role as the scenario had it.
    after.Statement = after.Statement.filter((s: { Sid?: string }) => s.Sid !== 'AdminDenyLegacy');
    await aws().iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: JSON.stringify(after) }),
    );
  });

  it("release never touches a revocation someone else wrote (the console's AWSRevokeOlderSessions)", async () => {
    const key = incident();
    const role = 'etl-loader-irsa';
    const console = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' } },
        },
      ],
    });
    await aws().iam.send(
      new PutRolePolicyCommand({
        RoleName: role,
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: console,
      }),
    );
    const target = { kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/${role}` };
    await runActionRequest(
      request(key, 'revoke-role-sessions', { mode: 'apply', target }),
      world.runtime(),
    );
    expect((await inlineOf(role)).length).toBe(2);
    await runActionRequest(request(key, 'revoke-role-sessions', { mode: 'undo' }), world.runtime());
    expect(await inlineOf(role)).toEqual(['AWSRevokeOlderSessions']);
  });
});

describe('Security: dry-run and verify change nothing', () => {
  it('planning and dry-running isolate-pod create no allow-all (untrack) security group', async () => {
    // A fresh world: no containment has run, so no untrack group exists yet.
    const fresh = await LocalWorld.start({ config });
    try {
      const key = incident();
      const ctx = fresh.context({ incidentKey: key, clusterName: 'prod-eks-01', dryRun: true });
      const action = getAction('isolate-pod');
      expect(await action.plan(ctx, POD)).not.toEqual([]);
      expect((await action.apply(ctx, POD)).status).toBe('dry-run');
      await expect(action.verify(ctx, POD)).rejects.toMatchObject({
        name: 'VerificationFailedError',
      });
      const groups =
        (
          await fresh.aws('us-east-1').ec2.send(
            new DescribeSecurityGroupsCommand({
              Filters: [{ Name: 'group-name', Values: ['tourniquet-untrack'] }],
            }),
          )
        ).SecurityGroups ?? [];
      expect(groups).toEqual([]);
      expect(await fresh.journal.list(key)).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });

  it("revoke-open-ingress leaves Tourniquet's untrack group alone, but not a look-alike without its tag", async () => {
    const vpc = world.config.clusters[0]?.quarantineSecurityGroups;
    const vpcId = Object.keys(vpc ?? {})[0] as string;
    const key = incident();
    const ctx = world.context({ incidentKey: key, clusterName: 'prod-eks-01' });
    // A real containment makes the untrack group.
    await getAction('isolate-pod').apply(ctx, POD);
    const { SecurityGroups = [] } = await aws().ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'group-name', Values: ['tourniquet-untrack'] }],
      }),
    );
    const untrack = SecurityGroups[0]?.GroupId as string;
    const outcome = await getAction('revoke-open-ingress').apply(ctx, {
      kind: 'security-group',
      groupId: untrack,
    });
    expect(outcome).toMatchObject({ status: 'skipped' });
    expect(outcome.detail).toMatch(/untrack group/);
    const { GroupId: lookalike } = await aws().ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'looks-like-untrack',
        Description: 'no tag',
        VpcId: vpcId,
      }),
    );
    const other = await getAction('revoke-open-ingress').apply(ctx, {
      kind: 'security-group',
      groupId: lookalike as string,
    });
    expect(other.detail).not.toMatch(/untrack group/);
    const released = await getAction('isolate-pod').undo(ctx);
    expect(released.changes.join('; ')).toMatch(
      new RegExp(`NetworkPolicy tourniquet-quarantine-${incidentLabel(key)}`),
    );
  });
});
