import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, DESTRUCTIVE_ACTIONS, parseConfig } from '../src';

const cluster = {
  name: 'prod-eks-01',
  account: '111122223333',
  region: 'us-east-1',
  oidcIssuer: 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
  egressCidrs: ['10.0.0.0/16'],
  quarantineSecurityGroups: { 'vpc-0a1b2c3d4e5f67890': 'sg-0badc0ffee0000001' },
};

function problemOf(document: unknown): string {
  try {
    parseConfig(document);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('Config', () => {
  it('fills every omitted key with the DESIGN §6 defaults', () => {
    expect(DEFAULT_CONFIG).toEqual({
      dryRun: false,
      dryRunActions: [],
      protectedNamespaces: [
        'kube-system',
        'kube-public',
        'kube-node-lease',
        'amazon-guardduty',
        'tourniquet',
      ],
      minimumSeverity: 'MEDIUM',
      approvalRequired: [...DESTRUCTIVE_ACTIONS],
      clusters: [],
      blastRadius: { maxPodsPerHour: 20, maxNodesPerHour: 3 },
    });
  });

  it('accepts a full cluster entry and strips an https:// issuer prefix', () => {
    const config = parseConfig({
      clusters: [{ ...cluster, oidcIssuer: `https://${cluster.oidcIssuer}` }],
    });
    expect(config.clusters[0]?.oidcIssuer).toBe(cluster.oidcIssuer);
  });

  it.each([
    [{ dryRun: 'yes' }, 'dryRun'],
    [{ minimumSeverity: 'SEVERE' }, 'minimumSeverity'],
    [{ approvalRequired: ['cordon-node', 'nuke-cluster'] }, 'approvalRequired.1'],
    [{ clusters: [{ ...cluster, account: '1234' }] }, 'clusters.0.account'],
    [{ clusters: [{ ...cluster, egressCidrs: ['10.0.0.0/33'] }] }, 'clusters.0.egressCidrs.0'],
    [{ clusters: [{ ...cluster, egressCidrs: ['not-a-cidr'] }] }, 'clusters.0.egressCidrs.0'],
    [{ clusters: [{ ...cluster, oidcIssuer: 'accounts.google.com' }] }, 'clusters.0.oidcIssuer'],
    [
      {
        clusters: [
          { ...cluster, quarantineSecurityGroups: { 'vpc-0a1b2c3d4e5f67890': 'default' } },
        ],
      },
      'clusters.0.quarantineSecurityGroups.vpc-0a1b2c3d4e5f67890',
    ],
    [{ clusters: [cluster, cluster] }, 'clusters.1.name'],
    [{ protectedNamespace: ['kube-system'] }, 'protectedNamespace'],
    [{ blastRadius: { maxPodsPerHour: 0 } }, 'blastRadius.maxPodsPerHour'],
  ])('rejects %j naming the key %s', (document, key) => {
    expect(problemOf(document)).toContain(key);
  });

  it('accepts IPv6 egress CIDRs', () => {
    const config = parseConfig({ clusters: [{ ...cluster, egressCidrs: ['2001:db8::/32'] }] });
    expect(config.clusters[0]?.egressCidrs).toEqual(['2001:db8::/32']);
  });
});
