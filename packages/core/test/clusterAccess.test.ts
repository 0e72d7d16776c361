import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, reachKeyFor, reachOf, vpcReaches } from '../src';

const cluster = {
  name: 'prod-eks-01',
  account: '111122223333',
  region: 'us-east-1',
};
const vpc = {
  mode: 'vpc',
  subnetIds: ['subnet-0aa11bb22cc33dd44', 'subnet-0ee55ff6600778899'],
  securityGroupId: 'sg-0123456789abcdef0',
};

function problemsOf(access: unknown): Array<{ path: string; message: string }> {
  try {
    parseConfig({ clusters: [{ ...cluster, access }] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('Config: clusters[].access', () => {
  it('defaults to the public endpoint', () => {
    const config = parseConfig({ clusters: [cluster] });
    expect(reachOf(config.clusters[0]?.access)).toEqual({ key: 'public' });
    expect(reachKeyFor(config.clusters, { ...cluster, cluster: cluster.name })).toBe('public');
  });

  it('accepts a VPC access with subnets and a security group', () => {
    expect(parseConfig({ clusters: [{ ...cluster, access: vpc }] }).clusters[0]?.access).toEqual(
      vpc,
    );
  });

  it.each([
    [{ mode: 'private' }, 'clusters.0.access.mode', "expected mode 'public' or 'vpc'"],
    [{}, 'clusters.0.access.mode', "expected mode 'public' or 'vpc'"],
    ['vpc', 'clusters.0.access', 'expected an object'],
    [
      { mode: 'vpc', securityGroupId: vpc.securityGroupId },
      'clusters.0.access.subnetIds',
      'subnet',
    ],
    [{ ...vpc, subnetIds: [] }, 'clusters.0.access.subnetIds', 'at least one subnet'],
    [{ ...vpc, subnetIds: ['subnet-1'] }, 'clusters.0.access.subnetIds.0', 'expected a subnet id'],
    [
      { ...vpc, subnetIds: [vpc.subnetIds[0], vpc.subnetIds[0]] },
      'clusters.0.access.subnetIds',
      'listed twice',
    ],
    [{ mode: 'vpc', subnetIds: vpc.subnetIds }, 'clusters.0.access.securityGroupId', '443'],
    [
      { ...vpc, securityGroupId: 'vpc-0123456789abcdef0' },
      'clusters.0.access.securityGroupId',
      'expected a security group id',
    ],
    [
      { mode: 'public', subnetIds: vpc.subnetIds },
      'clusters.0.access',
      "mode 'public' takes no other key",
    ],
    [{ ...vpc, vpcId: 'vpc-0123456789abcdef0' }, 'clusters.0.access', 'unknown key vpcId'],
  ])('rejects %j naming the key', (access, path, message) => {
    const problems = problemsOf(access);
    expect(problems).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('gives clusters with the same subnets and group one reach, whatever the subnet order', () => {
    const config = parseConfig({
      clusters: [
        { ...cluster, access: vpc },
        {
          ...cluster,
          name: 'prod-eks-02',
          access: { ...vpc, subnetIds: [...vpc.subnetIds].reverse() },
        },
        {
          ...cluster,
          name: 'prod-eks-03',
          access: { ...vpc, securityGroupId: 'sg-0fedcba9876543210' },
        },
        { ...cluster, name: 'dev-eks' },
      ],
    });
    const reaches = vpcReaches(config.clusters);
    expect(reaches).toHaveLength(2);
    expect(reaches.map((r) => r.key)).toEqual([
      reachOf(config.clusters[0]?.access).key,
      reachOf(config.clusters[2]?.access).key,
    ]);
    for (const r of reaches) expect(r.key).toMatch(/^v[0-9a-f]{6}$/);
    expect(
      reachKeyFor(config.clusters, {
        cluster: 'prod-eks-02',
        account: cluster.account,
        region: cluster.region,
      }),
    ).toBe(reaches[0]?.key);
    expect(
      reachKeyFor(config.clusters, {
        cluster: 'dev-eks',
        account: cluster.account,
        region: cluster.region,
      }),
    ).toBe('public');
    // Another account's cluster of the same name is not the configured one.
    expect(
      reachKeyFor(config.clusters, {
        cluster: 'prod-eks-01',
        account: '444455556666',
        region: cluster.region,
      }),
    ).toBe('public');
  });
});
