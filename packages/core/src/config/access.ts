import { createHash } from 'node:crypto';
import * as z from '../zod';

const unknownKeys =
  (mode: string, allowed: string) => (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown key ${(issue.keys ?? []).join(', ')}: mode '${mode}' takes ${allowed}`
      : undefined;

/**
 * How Tourniquet's functions reach a cluster's API server. `public` (the default, when omitted): from outside any
 * VPC, through the public endpoint. `vpc`: from these subnets (of one VPC that routes to the
 * cluster's private endpoint and resolves its name) with this security group, which the
 * cluster's security group must allow on 443.
 */
export const clusterAccessSchema = z.optional(
  z.discriminatedUnion(
    'mode',
    [
      z.strictObject(
        { mode: z.literal('public') },
        { error: unknownKeys('public', 'no other key') },
      ),
      z.strictObject(
        {
          mode: z.literal('vpc'),
          subnetIds: z
            .array(
              z
                .string()
                .check(z.regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id (subnet-…)')),
              { error: 'expected a list of subnet ids' },
            )
            .check(
              z.minLength(1, 'a VPC access needs at least one subnet'),
              z.refine((ids) => new Set(ids).size === ids.length, 'a subnet is listed twice'),
            ),
          securityGroupId: z
            .string({
              error: 'expected the id of a security group allowed to reach the endpoint on 443',
            })
            .check(z.regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id (sg-…)')),
        },
        { error: unknownKeys('vpc', 'subnetIds and securityGroupId') },
      ),
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? "expected mode 'public' or 'vpc'"
          : issue.code === 'invalid_type'
            ? 'expected an object such as { "mode": "public" }'
            : undefined,
    },
  ),
  // Optional rather than defaulted, so cluster entries built in code need not spell it out.
);

export type ClusterAccess = NonNullable<z.infer<typeof clusterAccessSchema>>;
export type VpcAccess = Extract<ClusterAccess, { mode: 'vpc' }>;

/** One place the Kubernetes-using functions run from: outside any VPC, or one VPC access. */
export type Reach = { key: 'public' } | ({ key: string } & VpcAccess);

/**
 * The reach a cluster's access needs. Clusters with the same subnets and security group share
 * one; its key (`v` + 6 hex of their hash) suffixes the function copies and state machines that
 * run there, stable across deployments and short enough for Lambda's 64-character names.
 */
export function reachOf(access: ClusterAccess | undefined): Reach {
  if (!access || access.mode === 'public') return { key: 'public' };
  const subnetIds = [...access.subnetIds].sort();
  const hash = createHash('sha256')
    .update(JSON.stringify([subnetIds, access.securityGroupId]))
    .digest('hex');
  return {
    key: `v${hash.slice(0, 6)}`,
    mode: 'vpc',
    subnetIds,
    securityGroupId: access.securityGroupId,
  };
}

/** Every distinct VPC reach the configured clusters need, in first-configured order. */
export function vpcReaches(
  clusters: ReadonlyArray<{ access?: ClusterAccess }>,
): Array<Reach & VpcAccess> {
  const seen = new Map<string, Reach & VpcAccess>();
  for (const cluster of clusters) {
    const reach = reachOf(cluster.access);
    if (reach.key !== 'public' && !seen.has(reach.key))
      seen.set(reach.key, reach as Reach & VpcAccess);
  }
  return [...seen.values()];
}

/**
 * The reach key of the cluster a finding is on (`public` for clusters not configured: with no
 * clusters listed, plans are not restricted and everything runs outside any VPC).
 */
export function reachKeyFor(
  clusters: ReadonlyArray<{
    name: string;
    account: string;
    region: string;
    access?: ClusterAccess;
  }>,
  finding: { cluster: string | null; account: string; region: string },
): string {
  const cluster = clusters.find(
    (c) =>
      c.name === finding.cluster && c.account === finding.account && c.region === finding.region,
  );
  return reachOf(cluster?.access).key;
}
