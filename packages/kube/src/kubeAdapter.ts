// Types only: the object shapes of the Kubernetes API as @kubernetes/client-node's generated
// models spell them. Nothing of the client is bundled (test/actionEntries.test.ts checks).
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1DaemonSet,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1Pod,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { isKubeStatus } from './errors';
import {
  connectionFromKubeConfig,
  isKubeConfigLike,
  type KubeConfigLike,
  type KubeConnection,
} from './kubeConnection';
import { apiPath, CONTENT_TYPE, KubeHttp } from './kubeHttp';

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

interface List<T> {
  items?: T[];
}

const CORE = '/api/v1';
const APPS = '/apis/apps/v1';
const NETWORKING = '/apis/networking.k8s.io/v1';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const POLICY_ENDPOINTS = '/apis/networking.k8s.aws/v1alpha1';

/**
 * The Kubernetes calls the response actions make, as plain JSON over HTTPS (./kubeHttp) with the
 * paths, verbs and content types @kubernetes/client-node uses for the same calls. Reads return
 * null for 404; every write is a merge patch or a create/delete, so a retried call converges
 * instead of failing on a stale resourceVersion. Objects come back as the server sent them:
 * timestamps stay RFC 3339 strings (client-node would make Dates; nothing here reads them).
 */
export class KubeAdapter {
  readonly http: KubeHttp;

  constructor(connection: KubeConnection | KubeConfigLike, options: { timeoutMs?: number } = {}) {
    this.http = new KubeHttp(
      isKubeConfigLike(connection) ? connectionFromKubeConfig(connection) : connection,
      options,
    );
  }

  async listDaemonSets(namespace: string): Promise<V1DaemonSet[]> {
    return items(
      await this.http.request<List<V1DaemonSet>>({
        method: 'GET',
        path: apiPath(APPS, 'namespaces', namespace, 'daemonsets'),
      }),
    );
  }

  /** PolicyEndpoints of a namespace; none when the CRD is not installed (no VPC CNI policy support). */
  async listPolicyEndpoints(namespace: string): Promise<PolicyEndpoint[]> {
    const list = await orNull(
      this.http.request<List<PolicyEndpoint>>({
        method: 'GET',
        path: apiPath(POLICY_ENDPOINTS, 'namespaces', namespace, 'policyendpoints'),
      }),
    );
    return list?.items ?? [];
  }

  readPod(namespace: string, name: string): Promise<V1Pod | null> {
    return orNull(
      this.http.request<V1Pod>({
        method: 'GET',
        path: apiPath(CORE, 'namespaces', namespace, 'pods', name),
      }),
    );
  }

  patchPodMetadata(namespace: string, name: string, metadata: MetadataPatch): Promise<V1Pod> {
    return this.http.request<V1Pod>({
      method: 'PATCH',
      path: apiPath(CORE, 'namespaces', namespace, 'pods', name),
      body: { metadata },
      contentType: CONTENT_TYPE.mergePatch,
    });
  }

  readNamespace(name: string): Promise<V1Namespace | null> {
    return orNull(
      this.http.request<V1Namespace>({ method: 'GET', path: apiPath(CORE, 'namespaces', name) }),
    );
  }

  readServiceAccount(namespace: string, name: string): Promise<V1ServiceAccount | null> {
    return orNull(
      this.http.request<V1ServiceAccount>({
        method: 'GET',
        path: apiPath(CORE, 'namespaces', namespace, 'serviceaccounts', name),
      }),
    );
  }

  readNode(name: string): Promise<V1Node | null> {
    return orNull(this.http.request<V1Node>({ method: 'GET', path: apiPath(CORE, 'nodes', name) }));
  }

  /** The node whose `spec.providerID` (`aws:///<az>/<instance-id>`) names the instance. */
  async findNodeByInstanceId(instanceId: string): Promise<V1Node | null> {
    const nodes = await this.listNodes();
    return nodes.find((n) => n.spec?.providerID?.endsWith(`/${instanceId}`)) ?? null;
  }

  /** Every node, for mapping instances to node names. */
  async listNodes(): Promise<V1Node[]> {
    return items(await this.http.request<List<V1Node>>({ method: 'GET', path: `${CORE}/nodes` }));
  }

  /** The pods scheduled on a node, in every namespace. */
  async listPodsOnNode(nodeName: string): Promise<V1Pod[]> {
    return items(
      await this.http.request<List<V1Pod>>({
        method: 'GET',
        path: `${CORE}/pods`,
        query: { fieldSelector: `spec.nodeName=${nodeName}` },
      }),
    );
  }

  setNodeUnschedulable(name: string, unschedulable: boolean): Promise<V1Node> {
    return this.http.request<V1Node>({
      method: 'PATCH',
      path: apiPath(CORE, 'nodes', name),
      // null removes the field, which is how an uncordoned node looks.
      body: { spec: { unschedulable: unschedulable || null } },
      contentType: CONTENT_TYPE.mergePatch,
    });
  }

  readClusterRole(name: string): Promise<V1ClusterRole | null> {
    return orNull(
      this.http.request<V1ClusterRole>({
        method: 'GET',
        path: apiPath(RBAC, 'clusterroles', name),
      }),
    );
  }

  readClusterRoleBinding(name: string): Promise<V1ClusterRoleBinding | null> {
    return orNull(
      this.http.request<V1ClusterRoleBinding>({
        method: 'GET',
        path: apiPath(RBAC, 'clusterrolebindings', name),
      }),
    );
  }

  readNetworkPolicy(namespace: string, name: string): Promise<V1NetworkPolicy | null> {
    return orNull(
      this.http.request<V1NetworkPolicy>({
        method: 'GET',
        path: apiPath(NETWORKING, 'namespaces', namespace, 'networkpolicies', name),
      }),
    );
  }

  createNetworkPolicy(namespace: string, body: V1NetworkPolicy): Promise<V1NetworkPolicy> {
    return this.http.request<V1NetworkPolicy>({
      method: 'POST',
      path: apiPath(NETWORKING, 'namespaces', namespace, 'networkpolicies'),
      body,
    });
  }

  /** False when there was nothing to delete. */
  async deleteNetworkPolicy(namespace: string, name: string): Promise<boolean> {
    const deleted = await orNull(
      this.http.request<unknown>({
        method: 'DELETE',
        path: apiPath(NETWORKING, 'namespaces', namespace, 'networkpolicies', name),
      }),
    );
    return deleted !== null;
  }
}

function items<T>(list: List<T> | undefined): T[] {
  return list?.items ?? [];
}

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isKubeStatus(error, 404)) return null;
    throw error;
  }
}
