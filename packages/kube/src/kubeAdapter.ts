import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1ClusterRole,
  type V1ClusterRoleBinding,
  type V1DaemonSet,
  type V1Namespace,
  type V1NetworkPolicy,
  type V1Node,
  type V1Pod,
  type V1ServiceAccount,
} from '@kubernetes/client-node';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A PolicyEndpoint (networking.k8s.aws/v1alpha1) as the VPC CNI network policy controller writes it. */
export interface PolicyEndpoint {
  metadata?: {
    name?: string;
    namespace?: string;
    ownerReferences?: Array<{ kind?: string; name?: string; uid?: string }>;
  };
  spec?: { policyRef?: { name?: string; namespace?: string }; podIsolation?: string[] };
}

export type MetadataPatch = {
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
};

/**
 * The Kubernetes calls the response actions make, over the real @kubernetes/client-node.
 * Reads return null for 404; every write is a merge patch or a create/delete, so a retried
 * call converges instead of failing on a stale resourceVersion.
 */
export class KubeAdapter {
  private readonly core: CoreV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly rbac: RbacAuthorizationV1Api;

  constructor(readonly kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  }

  async listDaemonSets(namespace: string): Promise<V1DaemonSet[]> {
    return (await this.apps.listNamespacedDaemonSet({ namespace })).items;
  }

  /** PolicyEndpoints of a namespace; none when the CRD is not installed (no VPC CNI policy support). */
  async listPolicyEndpoints(namespace: string): Promise<PolicyEndpoint[]> {
    const list = await orNull(
      this.custom.listNamespacedCustomObject({
        group: 'networking.k8s.aws',
        version: 'v1alpha1',
        namespace,
        plural: 'policyendpoints',
      }) as Promise<{ items?: PolicyEndpoint[] }>,
    );
    return list?.items ?? [];
  }

  readPod(namespace: string, name: string): Promise<V1Pod | null> {
    return orNull(this.core.readNamespacedPod({ namespace, name }));
  }

  patchPodMetadata(namespace: string, name: string, metadata: MetadataPatch): Promise<V1Pod> {
    return this.core.patchNamespacedPod({ namespace, name, body: { metadata } }, MERGE_PATCH);
  }

  readNamespace(name: string): Promise<V1Namespace | null> {
    return orNull(this.core.readNamespace({ name }));
  }

  readServiceAccount(namespace: string, name: string): Promise<V1ServiceAccount | null> {
    return orNull(this.core.readNamespacedServiceAccount({ namespace, name }));
  }

  readNode(name: string): Promise<V1Node | null> {
    return orNull(this.core.readNode({ name }));
  }

  /** The node whose `spec.providerID` (`aws:///<az>/<instance-id>`) names the instance. */
  async findNodeByInstanceId(instanceId: string): Promise<V1Node | null> {
    const { items } = await this.core.listNode();
    return items.find((n) => n.spec?.providerID?.endsWith(`/${instanceId}`)) ?? null;
  }

  /** Every node, for mapping instances to node names. */
  async listNodes(): Promise<V1Node[]> {
    const { items } = await this.core.listNode();
    return items;
  }

  /** The pods scheduled on a node, in every namespace. */
  async listPodsOnNode(nodeName: string): Promise<V1Pod[]> {
    const { items } = await this.core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${nodeName}`,
    });
    return items;
  }

  setNodeUnschedulable(name: string, unschedulable: boolean): Promise<V1Node> {
    // null removes the field, which is how an uncordoned node looks.
    return this.core.patchNode(
      { name, body: { spec: { unschedulable: unschedulable || null } } },
      MERGE_PATCH,
    );
  }

  readClusterRole(name: string): Promise<V1ClusterRole | null> {
    return orNull(this.rbac.readClusterRole({ name }));
  }

  readClusterRoleBinding(name: string): Promise<V1ClusterRoleBinding | null> {
    return orNull(this.rbac.readClusterRoleBinding({ name }));
  }

  readNetworkPolicy(namespace: string, name: string): Promise<V1NetworkPolicy | null> {
    return orNull(this.networking.readNamespacedNetworkPolicy({ namespace, name }));
  }

  createNetworkPolicy(namespace: string, body: V1NetworkPolicy): Promise<V1NetworkPolicy> {
    return this.networking.createNamespacedNetworkPolicy({ namespace, body });
  }

  async deleteNetworkPolicy(namespace: string, name: string): Promise<boolean> {
    return (
      (await orNull(this.networking.deleteNamespacedNetworkPolicy({ namespace, name }))) !== null
    );
  }
}

export function isKubeStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isKubeStatus(error, 404)) return null;
    throw error;
  }
}
