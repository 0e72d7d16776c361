import { UNTRACK_GROUP_NAME } from '@tourniquet/actions';
import type { ClusterConfig } from '@tourniquet/core';
import type { ProviderFor } from './regionProviders';

/** As isolate-pod describes the group it looks up (packages/actions/src/securityGroupSwap.ts). */
export const UNTRACK_GROUP_DESCRIPTION =
  'Tourniquet: allow-all step of a quarantine swap (makes connections untracked)';
/** The tag isolate-pod finds the group by, and revoke-open-ingress leaves alone. */
export const UNTRACK_GROUP_TAG = { key: 'tourniquet.io/role', value: 'untrack' } as const;

const ALL_TRAFFIC = {
  protocol: '-1',
  fromPort: 0,
  toPort: 0,
  cidrBlocks: ['0.0.0.0/0'],
  ipv6CidrBlocks: ['::/0'],
};

/**
 * The `tourniquet-untrack` group in every VPC that has a quarantine group: all traffic in and
 * out, IPv4 and IPv6. A flow allowed by an all-traffic rule to 0.0.0.0/0 or ::/0 with the
 * matching rule in the other direction is not tracked, so moving an ENI onto this group first
 * and then onto the rule-less quarantine group cuts connections a direct move would leave
 * alive. The deployment owns it (an action never creates an allow-all group, not even in a dry
 * run); an ENI sits on it only between the two steps of the swap.
 */
export function untrackGroups(clusters: readonly ClusterConfig[], providerFor: ProviderFor) {
  const groups = new Map<string, aws.ec2.SecurityGroup>();
  for (const cluster of clusters) {
    for (const vpcId of Object.keys(cluster.quarantineSecurityGroups)) {
      const id = `${cluster.region}/${vpcId}`;
      if (groups.has(id)) continue;
      groups.set(
        id,
        new aws.ec2.SecurityGroup(
          `Untrack-${cluster.region}-${vpcId}`,
          {
            name: UNTRACK_GROUP_NAME,
            description: UNTRACK_GROUP_DESCRIPTION,
            vpcId,
            ingress: [ALL_TRAFFIC],
            egress: [ALL_TRAFFIC],
            revokeRulesOnDelete: true,
            tags: { [UNTRACK_GROUP_TAG.key]: UNTRACK_GROUP_TAG.value, Name: UNTRACK_GROUP_NAME },
          },
          { provider: providerFor(cluster.region) },
        ),
      );
    }
  }
  return groups;
}
