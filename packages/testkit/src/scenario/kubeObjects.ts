import { createHash } from 'node:crypto';
import { cniDaemonSets } from './cniDaemonSets';
import type { Scenario, ScenarioCluster } from './scenario';

/** A Kubernetes manifest as the simulator stores it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** Set by the VPC resource controller on a pod that got a branch ENI (Security Groups for Pods). */
const POD_ENI_ANNOTATION = 'vpc.amazonaws.com/pod-eni';

/** One entry of the pod-eni annotation, as the VPC resource controller writes it. */
export interface PodEni {
  eniId: string;
  ifAddress: string;
  privateIp: string;
  vlanId: number;
  subnetCidr: string;
}

/**
 * The scenario's cluster as Kubernetes objects: namespaces, nodes, service accounts, pods (with
 * their pod-eni annotation when `branchEnis`, keyed `namespace/name`, names one), SGPs, and the
 * kube-system DaemonSets of its CNI and network policy engine.
 */
export function kubeObjectsFor(
  scenario: Scenario,
  cluster: ScenarioCluster,
  physical: (id: string) => string,
  branchEnis: ReadonlyMap<string, PodEni> = new Map(),
): KubeObject[] {
  const namespaces = new Set([
    ...cluster.pods.map((p) => p.namespace),
    ...cluster.serviceAccounts.map((s) => s.namespace),
  ]);
  const nodes = new Map(cluster.nodes.map((n) => [n.name, n]));
  const azOf = (subnet: string) =>
    cluster.subnets.find((s) => s.id === subnet)?.az ?? `${cluster.region}a`;
  const objects: KubeObject[] = cniDaemonSets(cluster);

  for (const name of namespaces) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  for (const node of cluster.nodes) {
    const az = node.az ?? azOf(node.subnet);
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: node.name,
        labels: {
          'kubernetes.io/hostname': node.name,
          'topology.kubernetes.io/zone': az,
          'eks.amazonaws.com/capacityType': node.spot ? 'SPOT' : 'ON_DEMAND',
          ...node.labels,
        },
      },
      spec: {
        providerID: `aws:///${az}/${physical(node.instanceId)}`,
        ...(node.unschedulable ? { unschedulable: true } : {}),
      },
      status: {
        addresses: [
          { type: 'InternalIP', address: node.ip },
          { type: 'Hostname', address: node.name },
        ],
      },
    });
  }
  for (const sa of cluster.serviceAccounts) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: sa.name,
        namespace: sa.namespace,
        ...(sa.role
          ? {
              annotations: {
                [IRSA_ANNOTATION]: `arn:aws:iam::${scenario.account}:role/${sa.role}`,
              },
            }
          : {}),
      },
    });
  }
  for (const pod of cluster.pods) {
    const node = nodes.get(pod.node);
    const eni = pod.hostNetwork ? undefined : branchEnis.get(`${pod.namespace}/${pod.name}`);
    const labels = { app: pod.name.replace(/-[a-z0-9]+(-[a-z0-9]+)?$/, ''), ...pod.labels };
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name,
        namespace: pod.namespace,
        labels,
        uid: pod.uid ?? stableUid(`${cluster.name}/${pod.namespace}/${pod.name}`),
        ...(eni ? { annotations: { [POD_ENI_ANNOTATION]: JSON.stringify([eni]) } } : {}),
      },
      spec: {
        nodeName: pod.node,
        serviceAccountName: pod.serviceAccount,
        hostNetwork: pod.hostNetwork,
        containers: [
          {
            name: 'app',
            image: pod.image,
            ...(pod.privileged ? { securityContext: { privileged: true } } : {}),
          },
        ],
      },
      status: { phase: 'Running', podIP: pod.hostNetwork ? node?.ip : pod.ip, hostIP: node?.ip },
    });
    if (pod.securityGroups && !pod.hostNetwork) {
      objects.push({
        apiVersion: 'vpcresources.k8s.aws/v1beta1',
        kind: 'SecurityGroupPolicy',
        metadata: { name: `${pod.name}-sgp`, namespace: pod.namespace },
        spec: {
          podSelector: { matchLabels: labels },
          securityGroups: { groupIds: pod.securityGroups.map(physical) },
        },
      });
    }
  }
  return objects;
}

/**
 * A pod the scenario gives no uid gets the same one on every run (UUID-shaped, from its cluster,
 * namespace and name): a random one would differ between runs, and a finding written against
 * one run would name a pod the next run calls replaced.
 */
export function stableUid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
