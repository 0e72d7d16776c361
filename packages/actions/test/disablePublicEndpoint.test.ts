import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { parseConfig } from '@tourniquet/core';
import { REPO_ROOT } from '@tourniquet/core/testkit';
import { LocalWorld } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionContext, getAction } from '../src';

/**
 * disable-public-endpoint against moto's EKS (DescribeCluster, UpdateClusterConfig), on the
 * sample environment: prod-eks-01 has both endpoints on and is reached from its VPC;
 * staging-eks-02 has the public endpoint only and is reached through it.
 */
let world: LocalWorld;
beforeAll(async () => {
  world = await LocalWorld.start({
    config: parseConfig(
      JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
    ),
  });
});
afterAll(async () => world?.stop());

const action = getAction('disable-public-endpoint');
const ctx = (clusterName: string, overrides: Partial<ActionContext> = {}): ActionContext => ({
  ...world.context({ incidentKey: `111122223333:test:${clusterName}:cluster`, clusterName }),
  ...overrides,
});
const endpoint = async (name: string) => {
  const region = name === 'staging-eks-02' ? 'us-west-2' : 'us-east-1';
  const { cluster } = await world.aws(region).eks.send(new DescribeClusterCommand({ name }));
  return {
    public: cluster?.resourcesVpcConfig?.endpointPublicAccess !== false,
    private: cluster?.resourcesVpcConfig?.endpointPrivateAccess === true,
  };
};

describe('disable-public-endpoint keeps Tourniquet able to reach the cluster', () => {
  it('refuses on a cluster Tourniquet reaches through the public endpoint, and changes nothing', async () => {
    const target = { kind: 'cluster', name: 'staging-eks-02' };
    const before = await endpoint('staging-eks-02');
    const outcome = await action.apply(ctx('staging-eks-02'), target);
    expect(outcome.status).toBe('skipped');
    expect(outcome.changes).toEqual([]);
    expect(outcome.detail).toContain(
      'refused: Tourniquet reaches staging-eks-02 through its public endpoint (its configured access is public)',
    );
    expect(await endpoint('staging-eks-02')).toEqual(before);
    // Before an approval request: the step resolves to nothing, so on-call is not asked.
    const resolved = await action.resolve(ctx('staging-eks-02'), target);
    expect(resolved).toMatchObject({ status: 'skipped', resolved: null });
    expect(resolved.detail).toContain('refused');
  });

  it('refuses on a cluster missing from the configuration (reached as public)', async () => {
    const outcome = await action.apply(ctx('staging-eks-02', { cluster: null }), {
      kind: 'cluster',
      name: 'staging-eks-02',
    });
    expect(outcome.status).toBe('skipped');
    expect(outcome.detail).toContain('not in the configuration');
  });

  it('refuses with access vpc when the cluster has its private endpoint off', async () => {
    const staging = world.config.clusters.find((c) => c.name === 'staging-eks-02');
    const vpc = {
      mode: 'vpc' as const,
      subnetIds: ['subnet-0123456789abcdef0'],
      securityGroupId: 'sg-0123456789abcdef0',
    };
    const outcome = await action.apply(
      ctx('staging-eks-02', { cluster: staging ? { ...staging, access: vpc } : null }),
      { kind: 'cluster', name: 'staging-eks-02' },
    );
    expect(outcome.status).toBe('skipped');
    expect(outcome.detail).toContain('private endpoint access is off on staging-eks-02');
    expect(outcome.detail).toContain('sg-0123456789abcdef0 on 443');
    expect(await endpoint('staging-eks-02')).toEqual({ public: true, private: false });
  });

  it('turns the public endpoint off when Tourniquet reaches the cluster privately, and undo restores it', async () => {
    const target = { kind: 'cluster', name: 'prod-eks-01' };
    expect(world.config.clusters.find((c) => c.name === 'prod-eks-01')?.access?.mode).toBe('vpc');
    expect(await endpoint('prod-eks-01')).toEqual({ public: true, private: true });
    const outcome = await action.apply(ctx('prod-eks-01'), target);
    expect(outcome.status, outcome.detail).toBe('applied');
    expect(await endpoint('prod-eks-01')).toEqual({ public: false, private: true });
    await action.verify(ctx('prod-eks-01'), target);
    expect((await action.undo(ctx('prod-eks-01'))).status).toBe('applied');
    expect(await endpoint('prod-eks-01')).toEqual({ public: true, private: true });
  });
});
