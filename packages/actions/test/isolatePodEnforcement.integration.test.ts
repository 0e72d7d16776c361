import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { incidentLabel, parseConfig } from '@tourniquet/core';
import { REPO_ROOT } from '@tourniquet/core/testkit';
import { KubeAdapter } from '@tourniquet/kube';
import { startKubeSimulator } from '@tourniquet/kube-sim';
import { LocalWorld, loadScenario } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionContext, getAction, VerificationFailedError } from '../src';

const SCENARIO = join(REPO_ROOT, 'packages/testkit/scenarios/enforcers.yaml');
const config = () =>
  parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')));

let world: LocalWorld;
beforeAll(async () => {
  world = await LocalWorld.start({ config: config(), scenario: await loadScenario(SCENARIO) });
});
afterAll(async () => world?.stop());

const pod = (cluster: string, namespace: string, name: string) => ({
  key: `111122223333:us-east-1:${cluster}:pod:${namespace}/${name}`,
  target: { kind: 'pod' as const, namespace, name, uid: null },
  ctx(overrides: Partial<ActionContext> = {}): ActionContext {
    return {
      ...world.context({ incidentKey: this.key, clusterName: cluster }),
      ...overrides,
    };
  },
});
const isolate = getAction('isolate-pod');
const groupsOf = async (eniId: string) => {
  const { NetworkInterfaces = [] } = await world
    .aws('us-east-1')
    .ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
  return (NetworkInterfaces[0]?.Groups ?? []).map((g) => g.GroupId).sort();
};
const podEni = (cluster: string, namespace: string, name: string): string => {
  const object = world.simulator(cluster).get('v1', 'Pod', namespace, name) as {
    metadata: { annotations?: Record<string, string> };
  };
  const raw = object.metadata.annotations?.['vpc.amazonaws.com/pod-eni'] ?? '[]';
  return (JSON.parse(raw) as Array<{ eniId: string }>)[0]?.eniId ?? '';
};

describe('isolate-pod: what enforces the NetworkPolicy', () => {
  it('no enforcer and no branch ENI: applied but reported NOT isolated', async () => {
    const p = pod('none-standard', 'shop', 'worker-6d5c4b3a2-bbbbb');
    const applied = await isolate.apply(p.ctx(), p.target);
    expect(applied.status).toBe('applied');
    expect(applied.data).toMatchObject({ isolated: false, mechanisms: [], enforcer: 'none' });
    expect(applied.detail).toMatch(/^NOT isolated: .*nothing enforces NetworkPolicy/);
    // The policy is still created: it takes effect if an enforcer is installed, and undo removes it.
    await isolate.undo(p.ctx());
    expect(world.simulator('none-standard').list('networking.k8s.io/v1', 'NetworkPolicy')).toEqual(
      [],
    );
  });

  it('VPC CNI: the network policy controller writes a PolicyEndpoint owned by the policy', async () => {
    const p = pod('vpccni-strict', 'shop', 'worker-6d5c4b3a2-aaaaa');
    const applied = await isolate.apply(p.ctx(), p.target);
    expect(applied.data).toMatchObject({ isolated: true, mechanisms: ['network-policy'] });
    const name = `tourniquet-quarantine-${incidentLabel(p.key)}`;
    const [endpoint] = world
      .simulator('vpccni-strict')
      .list('networking.k8s.aws/v1alpha1', 'PolicyEndpoint') as any[];
    expect(endpoint.metadata.name).toMatch(new RegExp(`^${name}-[a-z0-9]{5}$`));
    expect(endpoint.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'NetworkPolicy', name, controller: true }),
    ]);
    expect(endpoint.spec).toMatchObject({
      policyRef: { namespace: 'shop', name },
      podIsolation: ['Ingress', 'Egress'],
      podSelector: { matchLabels: { 'tourniquet.io/quarantine': incidentLabel(p.key) } },
    });
    await isolate.verify(p.ctx(), p.target);
    await isolate.undo(p.ctx());
    expect(
      world.simulator('vpccni-strict').list('networking.k8s.aws/v1alpha1', 'PolicyEndpoint'),
    ).toEqual([]);
  });

  it('VPC CNI with a lagging controller: not counted, and verify fails, until the PolicyEndpoint exists', async () => {
    const lagging = await startKubeSimulator({
      objects: world.seeded.clusters.find((c) => c.name === 'vpccni-strict')?.kubeObjects,
      policyEndpoints: 'manual',
    });
    try {
      const p = pod('vpccni-strict', 'shop', 'worker-6d5c4b3a2-aaaaa');
      const ctx = p.ctx({ kube: async () => new KubeAdapter(lagging.kubeConfig()) });
      const applied = await isolate.apply(ctx, p.target);
      expect(applied.status).toBe('applied');
      expect(applied.data).toMatchObject({ isolated: false, mechanisms: [] });
      expect(applied.detail).toMatch(/^NOT isolated: .*has not written a PolicyEndpoint/);
      await expect(isolate.verify(ctx, p.target)).rejects.toBeInstanceOf(VerificationFailedError);
      await expect(isolate.verify(ctx, p.target)).rejects.toThrow(/PolicyEndpoint/);
      lagging.reconcile();
      await isolate.verify(ctx, p.target);
      const again = await isolate.apply(ctx, p.target);
      expect(again).toMatchObject({ status: 'skipped' });
      expect(again.detail).toMatch(/^pod already isolated by network-policy/);
      await isolate.undo(ctx);
    } finally {
      await lagging.stop();
    }
  });

  it('calico: the NetworkPolicy holds', async () => {
    const p = pod('calico', 'shop', 'worker-6d5c4b3a2-ccccc');
    const applied = await isolate.apply(p.ctx(), p.target);
    expect(applied.data).toMatchObject({
      isolated: true,
      mechanisms: ['network-policy'],
      enforcer: 'calico',
    });
    await isolate.verify(p.ctx(), p.target);
    await isolate.undo(p.ctx());
  });
});

describe('isolate-pod: Security Groups for Pods', () => {
  it('standard mode: the branch ENI is swapped but security-group is not counted', async () => {
    const p = pod('none-standard', 'shop', 'web-5b8c9d7f4-bbbbb');
    const eni = podEni('none-standard', 'shop', 'web-5b8c9d7f4-bbbbb');
    const applied = await isolate.apply(p.ctx(), p.target);
    expect(applied.data).toMatchObject({
      isolated: false,
      mechanisms: [],
      sgpMode: 'standard',
      branchEni: eni,
    });
    expect(applied.detail).toMatch(/^NOT isolated: .*standard mode.*does not cut egress/);
    expect(await groupsOf(eni)).toEqual([world.seeded.physical('sg-0bb0000000000b002')]);
    await isolate.undo(p.ctx());
    expect(await groupsOf(eni)).toEqual([world.seeded.physical('sg-0bb0000000000b003')]);
  });

  it('finds the branch ENI by the pod-eni annotation, by id', async () => {
    const p = pod('vpccni-strict', 'shop', 'web-5b8c9d7f4-aaaaa');
    const eni = podEni('vpccni-strict', 'shop', 'web-5b8c9d7f4-aaaaa');
    const ctx = p.ctx();
    const sent: unknown[] = [];
    ctx.aws.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeNetworkInterfacesCommand') sent.push(args.input);
        return next(args);
      },
      { step: 'initialize', name: 'recordDescribeNetworkInterfaces' },
    );
    try {
      const applied = await isolate.apply(ctx, p.target);
      expect(applied.data).toMatchObject({
        isolated: true,
        mechanisms: ['security-group', 'network-policy'],
        branchEni: eni,
      });
      expect(sent[0]).toEqual({ NetworkInterfaceIds: [eni] });
      expect(sent.some((input) => JSON.stringify(input).includes('private-ip-address'))).toBe(
        false,
      );
    } finally {
      ctx.aws.ec2.middlewareStack.remove('recordDescribeNetworkInterfaces');
    }
    await isolate.undo(ctx);
  });
});
