import type { ClusterConfig } from '@tourniquet/core';
import { type FunctionName, kubernetesRules } from './permissions';

/**
 * An EKS access entry per configured cluster for each function that talks to Kubernetes,
 * mapping its role to the Kubernetes group `tourniquet:<function>`. The matching ClusterRoles
 * and bindings (exactly the verbs each action declares) are in docs/rbac.yaml, generated with
 * docs/permissions.md; apply them once per cluster (docs/deploy.md).
 */
export function eksAccess(
  clusters: readonly ClusterConfig[],
  roles: Partial<Record<FunctionName, aws.iam.Role>>,
) {
  const entries: aws.eks.AccessEntry[] = [];
  for (const cluster of clusters) {
    for (const [name, role] of Object.entries(roles) as Array<[FunctionName, aws.iam.Role]>) {
      if (kubernetesRules(name).length === 0) continue;
      entries.push(
        new aws.eks.AccessEntry(`${cluster.name}-${name}`, {
          clusterName: cluster.name,
          principalArn: role.arn,
          type: 'STANDARD',
          kubernetesGroups: [`tourniquet:${name}`],
        }),
      );
    }
  }
  return entries;
}
