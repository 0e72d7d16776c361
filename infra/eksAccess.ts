import type { ClusterConfig } from '@tourniquet/core';
import { type FunctionName, kubernetesRules } from './permissions';
import type { ProviderFor } from './regionProviders';

/** The cluster authentication modes that have the access entry API (docs/aws-behaviours.md). */
export const ACCESS_ENTRY_MODES: readonly string[] = ['API', 'API_AND_CONFIG_MAP'];

/**
 * Why a cluster cannot take access entries, or null when it can. A cluster whose DescribeCluster
 * shows no access configuration is on the API's default, CONFIG_MAP.
 */
export function accessEntryProblem(
  cluster: Pick<ClusterConfig, 'name' | 'region'>,
  authenticationMode: string | undefined,
): string | null {
  const mode = authenticationMode ?? 'CONFIG_MAP';
  if (ACCESS_ENTRY_MODES.includes(mode)) return null;
  return (
    `cluster ${cluster.name} (${cluster.region}) uses authentication mode ${mode}, which has no access entries: ` +
    `enable them with \`aws eks update-cluster-config --name ${cluster.name} --region ${cluster.region} ` +
    '--access-config authenticationMode=API_AND_CONFIG_MAP` (one-way; the aws-auth ConfigMap keeps working), ' +
    'or set deploy.accessEntries to false and map the roles in aws-auth yourself (docs/deploy.md)'
  );
}

/**
 * Reads every configured cluster's authentication mode (DescribeCluster, in the cluster's region)
 * before anything is created, and stops the deploy naming each cluster that cannot take access
 * entries: creating them would fail half-way through the stack.
 */
export async function checkAccessEntryModes(
  clusters: readonly ClusterConfig[],
  providerFor: ProviderFor,
): Promise<void> {
  const problems = await Promise.all(
    clusters.map(async (cluster) => {
      let described: Awaited<ReturnType<typeof aws.eks.getCluster>>;
      try {
        described = await aws.eks.getCluster(
          { name: cluster.name },
          { provider: providerFor(cluster.region) },
        );
      } catch (error) {
        const reason = (error as Error).message || String(error);
        return `cannot read cluster ${cluster.name} (${cluster.region}) to check its authentication mode: ${reason}`;
      }
      return accessEntryProblem(cluster, described.accessConfigs?.[0]?.authenticationMode);
    }),
  );
  const found = problems.filter((p): p is string => p !== null);
  if (found.length > 0) throw new Error(found.join('\n'));
}

/**
 * An EKS access entry per configured cluster, in that cluster's region, for each function that
 * talks to Kubernetes, mapping its role to the Kubernetes group `tourniquet:<function>`. The
 * matching ClusterRoles and bindings (exactly the verbs each action declares) are in
 * docs/rbac.yaml, generated with docs/permissions.md; apply them once per cluster
 * (docs/deploy.md). Call checkAccessEntryModes first.
 */
export function eksAccess(
  clusters: readonly ClusterConfig[],
  roles: Partial<Record<FunctionName, aws.iam.Role>>,
  providerFor: ProviderFor,
) {
  const entries: aws.eks.AccessEntry[] = [];
  for (const cluster of clusters) {
    for (const [name, role] of Object.entries(roles) as Array<[FunctionName, aws.iam.Role]>) {
      if (kubernetesRules(name).length === 0) continue;
      entries.push(
        new aws.eks.AccessEntry(
          `${cluster.name}-${name}`,
          {
            clusterName: cluster.name,
            principalArn: role.arn,
            type: 'STANDARD',
            kubernetesGroups: [`tourniquet:${name}`],
          },
          { provider: providerFor(cluster.region) },
        ),
      );
    }
  }
  return entries;
}
