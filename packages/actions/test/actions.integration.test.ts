import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { incidentLabel, parseConfig, type Target } from '@tourniquet/core';
import { REPO_ROOT } from '@tourniquet/core/testkit';
import { LocalWorld } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIONS,
  type ActionContext,
  type ActionOutcome,
  getAction,
  revokePolicyName,
  VerificationFailedError,
} from '../src';

const POD = { namespace: 'payments', name: 'payments-api-7d9f8b6c5-x2kqp' };
const KEY = '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp';

let world: LocalWorld;
const config = () =>
  parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')));
beforeAll(async () => {
  world = await LocalWorld.start({ config: config() });
});
afterAll(async () => world?.stop());

const ctx = (overrides: Partial<ActionContext> = {}): ActionContext => ({
  ...world.context({ incidentKey: KEY, clusterName: 'prod-eks-01' }),
  ...overrides,
});
const id = (logical: string) => world.seeded.physical(logical);
const sim = () => world.simulator('prod-eks-01');
const aws = () => world.aws('us-east-1');

/**
 * The contract every action keeps: apply changes state, verify reads it back, a second apply
 * is skipped, undo restores exactly the state before.
 */
async function roundTrip(
  name: string,
  target: Target,
  snapshot: () => Promise<unknown>,
  c: ActionContext = ctx(),
) {
  const action = getAction(name);
  const before = await snapshot();
  const applied = await action.apply(c, target);
  expect(applied.status, applied.detail).toBe('applied');
  expect(await snapshot()).not.toEqual(before);
  await action.verify(c, target);
  const again = await action.apply(c, target);
  expect(again.status).toBe('skipped');
  expect(again.changes).toEqual([]);
  const undone = await action.undo(c);
  expect(undone.status).toBe('applied');
  expect(await snapshot()).toEqual(before);
  return applied;
}

const podState = async () => {
  const pod = sim().get('v1', 'Pod', POD.namespace, POD.name) as any;
  const { NetworkInterfaces = [] } = await aws().ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.12.77'] }],
    }),
  );
  return {
    labels: pod?.metadata?.labels,
    annotations: pod?.metadata?.annotations ?? {},
    groups: NetworkInterfaces.map((e) => (e.Groups ?? []).map((g) => g.GroupId).sort()),
    policies: sim()
      .list('networking.k8s.io/v1', 'NetworkPolicy')
      .map((p) => p.metadata.name),
  };
};

const instanceState = async (instanceId: string) => {
  const { Reservations = [] } = await aws().ec2.send(
    new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const instance = Reservations[0]?.Instances?.[0];
  const termination = await aws().ec2.send(
    new DescribeInstanceAttributeCommand({
      InstanceId: instanceId,
      Attribute: 'disableApiTermination',
    }),
  );
  const { NetworkInterfaces = [] } = await aws().ec2.send(
    new DescribeNetworkInterfacesCommand({
      NetworkInterfaceIds: (instance?.NetworkInterfaces ?? []).map(
        (e) => e.NetworkInterfaceId as string,
      ),
    }),
  );
  return {
    enis: NetworkInterfaces.map((e) => (e.Groups ?? []).map((g) => g.GroupId).sort()),
    httpTokens: instance?.MetadataOptions?.HttpTokens,
    termination: termination.DisableApiTermination?.Value,
  };
};

describe('Action registry', () => {
  it('registers every action of the plan vocabulary except open-ticket, self-described', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual(
      [
        'block-web-identity',
        'capture-evidence',
        'cordon-node',
        'disable-public-endpoint',
        'enable-control-plane-logging',
        'isolate-node',
        'isolate-pod',
        'label-pod',
        'protect-node',
        'quarantine-instance-profile',
        'require-imdsv2',
        'revoke-open-ingress',
        'revoke-role-sessions',
      ].sort(),
    );
    for (const action of Object.values(ACTIONS)) {
      expect(action.description.length).toBeGreaterThan(20);
      expect(action.params.safeParse(action.example).success).toBe(true);
      expect(action.permissions.iam.length + action.permissions.kubernetes.length).toBeGreaterThan(
        0,
      );
    }
  });

  it('rejects parameters that do not match the schema, naming the field', async () => {
    await expect(
      getAction('cordon-node').apply(ctx(), { kind: 'node', instanceId: 'node-7' }),
    ).rejects.toMatchObject({
      name: 'InvalidParametersError',
      message: expect.stringContaining('instanceId'),
    });
  });
});

describe('Action: label-pod', () => {
  it('labels and annotates the pod with the incident, and undo removes exactly that', async () => {
    await roundTrip(
      'label-pod',
      { kind: 'pod', ...POD, uid: '5f0c2a8e-3b7d-4c1a-9e2f-6d8b1a0c4e7f' },
      podState,
    );
  });

  it('skips a pod in a protected namespace and a pod that no longer exists', async () => {
    const protectedPod = await getAction('label-pod').apply(ctx(), {
      kind: 'pod',
      namespace: 'kube-system',
      name: 'coredns-5d8f9c7b6-2xw9l',
      uid: null,
    });
    expect(protectedPod).toMatchObject({
      status: 'skipped',
      detail: 'namespace kube-system is protected',
      protected: true,
    });
    const gone = await getAction('label-pod').apply(ctx(), {
      kind: 'pod',
      namespace: 'payments',
      name: 'nope-123',
      uid: null,
    });
    expect(gone).toMatchObject({
      status: 'skipped',
      detail: 'pod payments/nope-123 no longer exists',
    });
  });

  it('skips, as protected, a pod whose namespace an admin labelled tourniquet.io/protect=true', async () => {
    const core = world.kubeConfig('prod-eks-01').makeApiClient(CoreV1Api);
    const label = (value: string | null) =>
      core.patchNamespace(
        { name: 'payments', body: { metadata: { labels: { 'tourniquet.io/protect': value } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await label('true');
    try {
      const outcome = await getAction('label-pod').apply(ctx(), { kind: 'pod', ...POD, uid: null });
      expect(outcome).toMatchObject({
        status: 'skipped',
        detail: 'namespace payments is labelled tourniquet.io/protect=true',
        protected: true,
      });
    } finally {
      await label(null);
    }
  });

  it('skips a pod whose uid differs from the finding (replaced by a new pod)', async () => {
    const replaced = await getAction('label-pod').apply(ctx(), {
      kind: 'pod',
      ...POD,
      uid: '00000000-0000-0000-0000-000000000000',
    });
    expect(replaced.status).toBe('skipped');
    expect(replaced.detail).toMatch(/was replaced/);
  });

  it('dry-run reports the change and changes nothing', async () => {
    const before = await podState();
    const dry = await getAction('label-pod').apply(ctx({ dryRun: true }), {
      kind: 'pod',
      ...POD,
      uid: null,
    });
    expect(dry.status).toBe('dry-run');
    expect(dry.changes.length).toBe(2);
    expect(await podState()).toEqual(before);
  });
});

describe('Action: isolate-pod', () => {
  it('SGP pod: moves the branch ENI to the quarantine group and adds a deny-all NetworkPolicy', async () => {
    const applied = await roundTrip('isolate-pod', { kind: 'pod', ...POD, uid: null }, podState);
    expect(applied.data?.mechanisms).toEqual(['security-group', 'network-policy']);
  });

  it('the isolated state: branch ENI on the quarantine group only, policy denies all', async () => {
    const action = getAction('isolate-pod');
    const target = { kind: 'pod', ...POD, uid: null };
    expect((await action.apply(ctx(), target)).status).toBe('applied');
    const state = await podState();
    expect(state.groups).toEqual([[id('sg-0badc0ffee0000001')]]);
    const policy = sim().get(
      'networking.k8s.io/v1',
      'NetworkPolicy',
      'payments',
      `tourniquet-quarantine-${incidentLabel(KEY)}`,
    ) as any;
    expect(policy.spec).toMatchObject({
      policyTypes: ['Ingress', 'Egress'],
      podSelector: { matchLabels: { 'tourniquet.io/quarantine': incidentLabel(KEY) } },
    });
    expect(state.labels['tourniquet.io/quarantine']).toBe(incidentLabel(KEY));
    await action.undo(ctx());
  });

  it('non-SGP pod: NetworkPolicy only, and says so', async () => {
    const target = {
      kind: 'pod',
      namespace: 'checkout',
      name: 'checkout-worker-6d5c4b3a2-r8s7t',
      uid: null,
    } as const;
    const action = getAction('isolate-pod');
    const applied = await action.apply(ctx(), target);
    expect(applied.data?.mechanisms).toEqual(['network-policy']);
    expect(applied.detail).toMatch(/no branch ENI/);
    await action.verify(ctx(), target);
    expect((await action.apply(ctx(), target)).status).toBe('skipped');
    await action.undo(ctx());
    expect(sim().list('networking.k8s.io/v1', 'NetworkPolicy')).toEqual([]);
  });

  it('hostNetwork pod: skipped with the reason (only isolate-node can cut it)', async () => {
    const outcome = await getAction('isolate-pod').apply(ctx(), {
      kind: 'pod',
      namespace: 'batch',
      name: 'sim-worker-7c9d8e6f5-kp2vx',
      uid: null,
    });
    expect(outcome.status).toBe('skipped');
    expect(outcome.detail).toMatch(/hostNetwork/);
  });

  it('verify throws VerificationFailedError when the isolation does not hold', async () => {
    await expect(
      getAction('isolate-pod').verify(ctx(), { kind: 'pod', ...POD, uid: null }),
    ).rejects.toBeInstanceOf(VerificationFailedError);
  });

  it('a branch ENI in a VPC without a quarantine group is a permanent error', async () => {
    const noGroups = ctx({ cluster: { ...(ctx().cluster as any), quarantineSecurityGroups: {} } });
    await expect(
      getAction('isolate-pod').apply(noGroups, { kind: 'pod', ...POD, uid: null }),
    ).rejects.toMatchObject({
      name: 'PermanentActionError',
      message: expect.stringContaining('no quarantineSecurityGroups entry'),
    });
  });
});

describe('Action: cordon-node', () => {
  const nodeState = async () =>
    (sim().get('v1', 'Node', null, 'ip-10-0-12-34.ec2.internal') as any).spec.unschedulable ??
    false;

  it('cordons the node found by instance id and undo uncordons it', async () => {
    await roundTrip(
      'cordon-node',
      { kind: 'node', instanceId: id('i-0a1b2c3d4e5f60718') },
      nodeState,
    );
  });

  it('resolves the node of a pod at run time', async () => {
    await roundTrip(
      'cordon-node',
      { kind: 'node-of-pod', namespace: 'payments', name: 'payments-debug-6c7b8d9e5-pq2rs' },
      nodeState,
    );
  });

  it('skips a node labelled tourniquet.io/protect=true', async () => {
    const outcome = await getAction('cordon-node').apply(ctx(), {
      kind: 'node',
      instanceId: id('i-0f6071829a3b4c5d6'),
    });
    expect(outcome).toMatchObject({ status: 'skipped' });
    expect(outcome.detail).toMatch(/protect/);
  });
});

describe('Action: isolate-node', () => {
  it('moves every ENI of the instance to quarantine and back', async () => {
    const instance = id('i-0c3d4e5f607182930');
    const applied = await roundTrip('isolate-node', { kind: 'node', instanceId: instance }, () =>
      instanceState(instance),
    );
    expect(applied.data?.enis as string[]).not.toHaveLength(0);
  });
});

describe('Action: protect-node', () => {
  it('turns on termination protection and restores it', async () => {
    const instance = id('i-0a1b2c3d4e5f60718');
    await roundTrip('protect-node', { kind: 'node', instanceId: instance }, () =>
      instanceState(instance),
    );
  });

  it('says it cannot protect a Spot instance', async () => {
    const outcome = await getAction('protect-node').apply(ctx(), {
      kind: 'node',
      instanceId: id('i-0b2c3d4e5f6071829'),
    });
    expect(outcome.status).toBe('skipped');
    expect(outcome.detail).toMatch(/Spot instance/);
  });
});

describe('Action: capture-evidence', () => {
  it('snapshots every volume of the node with incident tags, once, and records the pod spec', async () => {
    const instance = id('i-0a1b2c3d4e5f60718');
    const finding = {
      pod: { namespace: POD.namespace, name: POD.name, uid: null, serviceAccount: 'payments-api' },
    } as any;
    const c = ctx({ finding });
    const action = getAction('capture-evidence');
    const applied: ActionOutcome = await action.apply(c, { kind: 'node', instanceId: instance });
    expect(applied.status).toBe('applied');
    const snapshots = applied.data?.snapshots as Record<string, string>;
    expect(Object.keys(snapshots)).toHaveLength(2); // root + one data volume
    const { Snapshots = [] } = await aws().ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: Object.values(snapshots) }),
    );
    for (const s of Snapshots)
      expect(s.Tags).toContainEqual({ Key: 'tourniquet.io/incident', Value: incidentLabel(KEY) });
    expect(applied.data?.evidence).toMatchObject({ podSpec: { metadata: { name: POD.name } } });
    await action.verify(c, { kind: 'node', instanceId: instance });
    expect((await action.apply(c, { kind: 'node', instanceId: instance })).status).toBe('skipped');
    const undone = await action.undo(c);
    expect(undone).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('evidence is kept'),
    });
  });
});

describe('Action: revoke-role-sessions', () => {
  const policy = async (role: string) => {
    try {
      return (
        await aws().iam.send(
          new GetRolePolicyCommand({ RoleName: role, PolicyName: revokePolicyName(KEY) }),
        )
      ).PolicyDocument;
    } catch {
      return null;
    }
  };

  it("writes the incident's revocation policy (Deny * before now) on the IRSA role of a service account", async () => {
    const at = new Date('2026-11-23T12:00:00.000Z');
    const applied = await roundTrip(
      'revoke-role-sessions',
      { kind: 'serviceaccount-role', namespace: 'payments', name: 'payments-api' },
      () => policy('payments-api-irsa'),
      ctx({ now: () => at }),
    );
    expect(applied.data).toEqual({ role: 'payments-api-irsa', cutoff: '2026-11-23T12:00:00.000Z' });
  });

  it('the policy denies everything for tokens issued before the cut-off', async () => {
    const c = ctx({ now: () => new Date('2026-11-23T12:00:00.000Z') });
    const target = {
      kind: 'role',
      arn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
    } as const;
    expect((await getAction('revoke-role-sessions').apply(c, target)).status).toBe('applied');
    const document = JSON.parse(decodeURIComponent((await policy('payments-api-irsa')) as string));
    expect(document.Statement).toEqual([
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-23T12:00:00.000Z' } },
      },
    ]);
    await getAction('revoke-role-sessions').undo(c);
  });

  it('acts on a role reached through IRSA only when it trusts this cluster for that service account', async () => {
    const target = (namespace: string, name: string) => ({
      kind: 'role' as const,
      arn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
      irsa: { serviceAccount: { namespace, name } },
    });
    const other = await getAction('revoke-role-sessions').apply(
      ctx(),
      target('batch', 'batch-runner'),
    );
    expect(other).toMatchObject({
      status: 'skipped',
      detail:
        "role payments-api-irsa does not trust cluster prod-eks-01's service account batch/batch-runner (its trust policy names oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE but not system:serviceaccount:batch:batch-runner): not acted on",
    });
    const staging = ctx({ cluster: config().clusters[1] ?? null, clusterName: 'staging-eks-02' });
    expect(
      (await getAction('revoke-role-sessions').apply(staging, target('payments', 'payments-api')))
        .detail,
    ).toMatch(/does not trust cluster staging-eks-02's service account payments\/payments-api/);
    const noIssuer = ctx({ cluster: { ...(ctx().cluster as any), oidcIssuer: undefined } });
    expect(
      (await getAction('revoke-role-sessions').apply(noIssuer, target('payments', 'payments-api')))
        .detail,
    ).toMatch(/has no oidcIssuer configured/);
    const own = await getAction('revoke-role-sessions').apply(
      ctx(),
      target('payments', 'payments-api'),
    );
    expect(own.status).toBe('applied');
    await getAction('revoke-role-sessions').undo(ctx());
  });

  it('resolve names the concrete role and changes nothing; apply holds to the approved one', async () => {
    const target = { kind: 'serviceaccount-role', namespace: 'payments', name: 'payments-api' };
    const before = await policy('payments-api-irsa');
    const resolved = await getAction('revoke-role-sessions').resolve(ctx(), target);
    expect(resolved).toMatchObject({
      status: 'resolved',
      target: 'serviceaccount-role/payments/payments-api',
      resolved: 'arn:aws:iam::111122223333:role/payments-api-irsa',
    });
    expect(await policy('payments-api-irsa')).toEqual(before);
    const none = await getAction('revoke-role-sessions').resolve(ctx(), {
      ...target,
      name: 'payments-ledger',
    });
    expect(none).toMatchObject({ status: 'skipped', resolved: null });
    await expect(
      getAction('revoke-role-sessions').apply(
        ctx({ approvedTarget: 'arn:aws:iam::111122223333:role/checkout-web-irsa' }),
        target,
      ),
    ).rejects.toMatchObject({ name: 'PermanentActionError' });
    expect(await policy('payments-api-irsa')).toEqual(before);
    const applied = await getAction('revoke-role-sessions').apply(
      ctx({ approvedTarget: resolved.resolved }),
      target,
    );
    expect(applied.status).toBe('applied');
    await getAction('revoke-role-sessions').undo(ctx());
  });

  it('resolves the node role from an instance profile', async () => {
    await roundTrip(
      'revoke-role-sessions',
      {
        kind: 'instance-profile-role',
        arn: 'arn:aws:iam::111122223333:instance-profile/eks-ng-general-NodeInstanceProfile',
      },
      () => policy('eks-ng-general-NodeInstanceRole'),
    );
  });

  it('skips a service account without an IRSA role and a role tagged protect', async () => {
    const noRole = await getAction('revoke-role-sessions').apply(ctx(), {
      kind: 'serviceaccount-role',
      namespace: 'payments',
      name: 'payments-ledger',
    });
    expect(noRole.detail).toMatch(/has no IRSA role/);
    const protectedRole = await getAction('revoke-role-sessions').apply(ctx(), {
      kind: 'instance-profile-role',
      arn: 'arn:aws:iam::111122223333:instance-profile/eks-ng-system-NodeInstanceProfile',
    });
    expect(protectedRole.detail).toMatch(/tagged tourniquet.io\/protect=true/);
    expect(protectedRole.protected).toBe(true);
    expect(noRole).not.toHaveProperty('protected');
  });
});

describe('Action: block-web-identity', () => {
  const trust = async () =>
    decodeURIComponent(
      (await aws().iam.send(new GetRoleCommand({ RoleName: 'payments-api-irsa' }))).Role
        ?.AssumeRolePolicyDocument as string,
    );

  it('adds a Deny for the compromised service account subject and undo restores the trust policy', async () => {
    await roundTrip(
      'block-web-identity',
      {
        kind: 'web-identity',
        roleArn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
        namespace: 'payments',
        serviceAccount: 'payments-api',
      },
      trust,
    );
  });

  it('the Deny names the OIDC provider and the sub condition', async () => {
    const target = {
      kind: 'web-identity',
      roleArn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
      namespace: 'payments',
      serviceAccount: 'payments-api',
    } as const;
    expect((await getAction('block-web-identity').apply(ctx(), target)).status).toBe('applied');
    const deny = JSON.parse(await trust()).Statement.find((s: any) => s.Effect === 'Deny');
    expect(deny).toMatchObject({
      Principal: {
        Federated:
          'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
      },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub':
            'system:serviceaccount:payments:payments-api',
        },
      },
    });
    await getAction('block-web-identity').undo(ctx());
  });
});

describe('Actions on cluster configuration', () => {
  const clusterState = async () => {
    const { cluster } = await aws().eks.send(new DescribeClusterCommand({ name: 'prod-eks-01' }));
    return {
      public: cluster?.resourcesVpcConfig?.endpointPublicAccess,
      private: cluster?.resourcesVpcConfig?.endpointPrivateAccess,
      logging: (cluster?.logging?.clusterLogging ?? [])
        .filter((l) => l.enabled)
        .flatMap((l) => l.types ?? [])
        .sort(),
    };
  };

  it('disable-public-endpoint turns the public endpoint off (private on) and back', async () => {
    await roundTrip(
      'disable-public-endpoint',
      { kind: 'cluster', name: 'prod-eks-01' },
      clusterState,
    );
  });

  it('enable-control-plane-logging turns every log type on and back off', async () => {
    await roundTrip(
      'enable-control-plane-logging',
      { kind: 'cluster', name: 'prod-eks-01' },
      clusterState,
    );
  });

  it('require-imdsv2 sets HttpTokens=required and restores optional', async () => {
    const instance = id('i-0c3d4e5f607182930');
    await roundTrip('require-imdsv2', { kind: 'instance', instanceId: instance }, () =>
      instanceState(instance),
    );
  });

  it('revoke-open-ingress revokes only the rules open to the internet', async () => {
    const sg = id('sg-0a9b8c7d6e5f43210');
    const rules = async () => {
      const { SecurityGroups = [] } = await aws().ec2.send(
        new DescribeSecurityGroupsCommand({ GroupIds: [sg] }),
      );
      return (SecurityGroups[0]?.IpPermissions ?? []).map((p) => ({
        from: p.FromPort,
        v4: (p.IpRanges ?? []).map((r) => r.CidrIp).sort(),
        v6: (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).sort(),
      }));
    };
    const applied = await roundTrip(
      'revoke-open-ingress',
      { kind: 'security-group', groupId: sg },
      rules,
    );
    expect(applied.changes).toEqual([`revoke tcp 8443-8443 from 0.0.0.0/0, ::/0 on ${sg}`]);
    const ssh = id('sg-0fedcba9876543210');
    const sshApplied = await getAction('revoke-open-ingress').apply(ctx(), {
      kind: 'security-group',
      groupId: ssh,
    });
    const { SecurityGroups = [] } = await aws().ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [ssh] }),
    );
    expect(
      SecurityGroups[0]?.IpPermissions?.flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp)),
    ).toEqual(['10.0.0.0/16']);
    expect(sshApplied.undo).not.toBeNull();
    await getAction('revoke-open-ingress').undo(ctx());
  });
});
