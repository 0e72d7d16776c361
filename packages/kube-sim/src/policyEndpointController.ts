import { randomInt } from 'node:crypto';
import { isJsonObject, type KubeObject } from './kubeObject';
import { prepareCreate } from './objectLifecycle';
import type { ObjectStore } from './objectStore';
import { DAEMON_SETS, NETWORK_POLICIES, POLICY_ENDPOINTS } from './resourceDefinitions';

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * Whether the VPC CNI enforces NetworkPolicies on this cluster: the aws-node DaemonSet's
 * `aws-network-policy-agent` container runs with `--enable-network-policy=true` (EKS sets both
 * the agent flag and the control-plane controller from the add-on's `enableNetworkPolicy`).
 */
export function vpcCniEnforcesPolicies(store: ObjectStore): boolean {
  const awsNode = store.get(DAEMON_SETS, 'kube-system', 'aws-node');
  const template = awsNode?.spec as { template?: { spec?: { containers?: unknown[] } } };
  return (template?.template?.spec?.containers ?? []).some(
    (c) =>
      isJsonObject(c) &&
      c.name === 'aws-network-policy-agent' &&
      Array.isArray(c.args) &&
      c.args.includes('--enable-network-policy=true'),
  );
}

function policyRefName(endpoint: KubeObject): unknown {
  const spec = endpoint.spec as { policyRef?: { name?: unknown } } | undefined;
  return spec?.policyRef?.name;
}

/**
 * What amazon-network-policy-controller-k8s does for each NetworkPolicy: a PolicyEndpoint in the
 * policy's namespace, named `<policy>-<random>`, owned by the policy, carrying its pod selector
 * and policy types (`podIsolation`); and garbage collection of endpoints whose policy is gone.
 * Resolving the selected pods' IPs is left out: Tourniquet only asks whether one exists.
 */
export function reconcilePolicyEndpoints(store: ObjectStore): void {
  const endpoints = store.list(POLICY_ENDPOINTS, null);
  const policies = store.list(NETWORK_POLICIES, null);
  for (const endpoint of endpoints) {
    const owner = policies.find(
      (p) =>
        p.metadata.namespace === endpoint.metadata.namespace &&
        p.metadata.name === policyRefName(endpoint),
    );
    if (!owner) {
      store.remove(POLICY_ENDPOINTS, endpoint.metadata.namespace ?? null, endpoint.metadata.name);
    }
  }
  if (!vpcCniEnforcesPolicies(store)) return;
  for (const policy of policies) {
    const { name, namespace, uid } = policy.metadata;
    const exists = endpoints.some(
      (e) => e.metadata.namespace === namespace && policyRefName(e) === name,
    );
    if (exists) continue;
    const spec = (policy.spec ?? {}) as { podSelector?: unknown; policyTypes?: unknown };
    const suffix = Array.from(
      { length: 5 },
      () => NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)],
    ).join('');
    const endpoint = prepareCreate(
      POLICY_ENDPOINTS,
      {
        metadata: {
          name: `${name}-${suffix}`,
          namespace,
          ownerReferences: [
            {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'NetworkPolicy',
              name,
              uid,
              blockOwnerDeletion: true,
              controller: true,
            },
          ],
        },
        spec: {
          priority: 1001,
          isGlobal: false,
          podSelector: spec.podSelector ?? {},
          policyRef: { namespace, name },
          podIsolation: spec.policyTypes ?? ['Ingress'],
        },
      },
      namespace ?? null,
    );
    store.write(POLICY_ENDPOINTS, endpoint);
  }
}
