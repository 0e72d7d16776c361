import { isJsonObject, type JsonObject, type KubeObject, metadataOf } from './kubeObject';

function imagePullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  const lastPart = image.split('/').pop() ?? image;
  const tagged = lastPart.includes(':') && !image.includes('@');
  return !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function defaultContainers(containers: unknown): void {
  if (!Array.isArray(containers)) return;
  for (const container of containers) {
    if (!isJsonObject(container)) continue;
    container.terminationMessagePath ??= '/dev/termination-log';
    container.terminationMessagePolicy ??= 'File';
    container.imagePullPolicy ??= imagePullPolicy(container.image);
    container.resources ??= {};
  }
}

// The subset of pod defaults (scheme defaults plus ServiceAccount/Priority admission) that code
// reading pods back is likely to look at.
function defaultPod(pod: JsonObject): void {
  const spec = pod.spec;
  if (!isJsonObject(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount = spec.serviceAccountName;
  defaultContainers(spec.containers);
  defaultContainers(spec.initContainers);
}

// An empty policyTypes means Ingress, plus Egress when egress rules are given; a deny-all egress
// policy therefore has to name Egress explicitly, which is the mistake worth reproducing.
function defaultNetworkPolicy(policy: JsonObject): void {
  const spec = policy.spec;
  if (!isJsonObject(spec)) return;
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) return;
  spec.policyTypes =
    Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function defaultNamespace(namespace: KubeObject): void {
  const metadata = metadataOf(namespace);
  const labels = isJsonObject(metadata.labels) ? metadata.labels : {};
  labels['kubernetes.io/metadata.name'] = namespace.metadata.name;
  metadata.labels = labels;
  if (!isJsonObject(namespace.spec)) namespace.spec = { finalizers: ['kubernetes'] };
  if (!isJsonObject(namespace.status)) namespace.status = { phase: 'Active' };
}

const OMITTED_WHEN_EMPTY = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;
const OMITTED_WHEN_FALSE: Readonly<Record<string, readonly string[]>> = {
  Node: ['unschedulable'],
  Pod: ['hostNetwork', 'hostPID', 'hostIPC'],
};

// Go's `omitempty` drops empty maps and false booleans when the server writes JSON, so removing
// the last label leaves no `labels` key and an uncordoned node has no `unschedulable`.
function dropOmittedFields(object: KubeObject): void {
  const metadata = metadataOf(object);
  for (const field of OMITTED_WHEN_EMPTY) {
    const value = metadata[field];
    if (
      (Array.isArray(value) && value.length === 0) ||
      (isJsonObject(value) && Object.keys(value).length === 0)
    ) {
      delete metadata[field];
    }
  }
  const spec = object.spec;
  if (!isJsonObject(spec)) return;
  for (const field of OMITTED_WHEN_FALSE[object.kind] ?? []) {
    if (spec[field] === false) delete spec[field];
  }
}

const DEFAULTERS: Readonly<Record<string, (object: KubeObject) => void>> = {
  Pod: defaultPod,
  NetworkPolicy: defaultNetworkPolicy,
  Namespace: defaultNamespace,
};

/** Fills the defaults the API server adds on every write, and drops what it would omit (in place). */
export function applyDefaults(object: KubeObject): void {
  DEFAULTERS[object.kind]?.(object);
  dropOmittedFields(object);
}
