import type { Enforcement } from '@tourniquet/actions';
import { TOURNIQUET_LABELS } from '@tourniquet/core';
import type { KubeSimulator } from '@tourniquet/kube-sim';

interface Policy {
  metadata: { name: string; namespace?: string };
  spec?: { podSelector?: { matchLabels?: Record<string, string> } };
}

interface Endpoint {
  metadata: { namespace?: string };
  spec?: { policyRef?: { name?: string } };
}

/**
 * Whether a quarantine NetworkPolicy selecting the pod is in force: something enforces policies,
 * and for the VPC CNI its controller has written the PolicyEndpoint the node agent reads.
 */
export function policyEnforced(
  simulator: KubeSimulator,
  namespace: string,
  labels: Record<string, string> | undefined,
  enforcement: Enforcement,
): boolean {
  const label = labels?.[TOURNIQUET_LABELS.quarantine];
  if (!label || enforcement.enforcer === null) return false;
  const policies = (simulator.list('networking.k8s.io/v1', 'NetworkPolicy') as Policy[]).filter(
    (p) =>
      p.metadata.namespace === namespace &&
      p.spec?.podSelector?.matchLabels?.[TOURNIQUET_LABELS.quarantine] === label,
  );
  if (enforcement.enforcer !== 'vpc-cni') return policies.length > 0;
  const endpoints = simulator.list('networking.k8s.aws/v1alpha1', 'PolicyEndpoint') as Endpoint[];
  return policies.some((p) =>
    endpoints.some(
      (e) => e.metadata.namespace === namespace && e.spec?.policyRef?.name === p.metadata.name,
    ),
  );
}
