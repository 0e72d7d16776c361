import type { ClusterConfig } from '@tourniquet/core';
import { type FunctionName, kubernetesRules } from './permissions';
import type { ProviderFor } from './regionProviders';

/**
 * An EKS access entry per configured cluster for each function that talks to Kubernetes,
 * mapping its role to the Kubernetes group `tourniquet:<function>`. The matching ClusterRoles
 * and bindings (exactly the verbs each action declares) are in docs/rbac.yaml, generated with
 * docs/permissions.md; apply them once per cluster (docs/deploy.md).
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
          // The access entry lives with the cluster, in the cluster's region.
          { provider: providerFor(cluster.region) },
        ),
      );
    }
  }
  return entries;
}
