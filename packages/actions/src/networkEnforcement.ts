import type { V1Container, V1DaemonSet } from '@kubernetes/client-node';
import type { KubeAdapter } from '@tourniquet/kube';

/** What enforces NetworkPolicies on the cluster; null: nothing does, a policy is inert. */
export type PolicyEnforcer = 'vpc-cni' | 'calico' | 'cilium';

/**
 * Security Groups for Pods enforcing mode. In `standard` mode traffic leaving the VPC is source
 * NATed through the node's primary ENI and its groups, so a branch ENI swap does not cut it.
 */
export type SgpMode = 'strict' | 'standard';

export interface Enforcement {
  enforcer: PolicyEnforcer | null;
  sgpMode: SgpMode;
}

const containers = (ds: V1DaemonSet | undefined): V1Container[] =>
  ds?.spec?.template?.spec?.containers ?? [];

/**
 * Reads the cluster's kube-system DaemonSets: the VPC CNI enforces only when aws-node's
 * `aws-network-policy-agent` runs with `--enable-network-policy=true`; calico-node and cilium
 * enforce whenever they run. The SGP mode is aws-node's POD_SECURITY_GROUP_ENFORCING_MODE
 * (strict unless set).
 */
export async function detectEnforcement(kube: KubeAdapter): Promise<Enforcement> {
  return enforcementOf(await kube.listDaemonSets('kube-system'));
}

/** The enforcement the kube-system DaemonSets show (see detectEnforcement). */
export function enforcementOf(daemonSets: readonly V1DaemonSet[]): Enforcement {
  const named = (name: string) => daemonSets.find((d) => d.metadata?.name === name);
  const awsNode = named('aws-node');
  const vpcCni = containers(awsNode).some(
    (c) =>
      c.name === 'aws-network-policy-agent' &&
      (c.args ?? []).includes('--enable-network-policy=true'),
  );
  const enforcer: PolicyEnforcer | null = vpcCni
    ? 'vpc-cni'
    : named('calico-node')
      ? 'calico'
      : named('cilium')
        ? 'cilium'
        : null;
  const mode = containers(awsNode)
    .find((c) => c.name === 'aws-node')
    ?.env?.find((e) => e.name === 'POD_SECURITY_GROUP_ENFORCING_MODE')?.value;
  return { enforcer, sgpMode: mode === 'standard' ? 'standard' : 'strict' };
}

/**
 * Whether the VPC CNI network policy controller has materialised the NetworkPolicy: the node
 * agent enforces PolicyEndpoints (`spec.policyRef` names the policy), never the policy itself.
 */
export async function hasPolicyEndpoint(
  kube: KubeAdapter,
  namespace: string,
  policy: string,
): Promise<boolean> {
  const endpoints = await kube.listPolicyEndpoints(namespace);
  return endpoints.some(
    (e) =>
      e.spec?.policyRef?.name === policy &&
      (e.spec.policyRef.namespace ?? e.metadata?.namespace) === namespace,
  );
}
