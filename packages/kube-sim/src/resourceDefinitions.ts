/** One REST resource the simulator serves; the registry below is data, not code branches. */
export interface ResourceDefinition {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: readonly string[];
  /** Verbs advertised in discovery, exactly the ones served (no watch). */
  verbs: readonly string[];
  /** Subresources served besides the object itself. */
  subresources: readonly ('status' | 'eviction')[];
  /** Fields accepted in `fieldSelector`, with the value used when the object lacks the field. */
  fieldLabels: Readonly<Record<string, string>>;
  /** What DELETE answers with: the object (pods, service accounts) or a Success Status. */
  deleteReturns: 'object' | 'status';
  /**
   * Served from a CRD: an update must carry `metadata.resourceVersion`, and list items keep their
   * `kind`/`apiVersion` (built-in lists drop them).
   */
  custom: boolean;
  /** Whether `metadata.generation` is kept (bumped on spec changes). */
  tracksGeneration: boolean;
}

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
] as const;
const OBJECT_META_FIELDS = { 'metadata.name': '', 'metadata.namespace': '' } as const;

export const RESOURCES: readonly ResourceDefinition[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    subresources: ['status'],
    fieldLabels: { 'metadata.name': '', 'status.phase': '' },
    deleteReturns: 'object',
    custom: false,
    tracksGeneration: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    verbs: ALL_VERBS,
    subresources: ['status'],
    fieldLabels: { 'metadata.name': '', 'spec.unschedulable': 'false' },
    deleteReturns: 'status',
    custom: false,
    tracksGeneration: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    verbs: ALL_VERBS,
    subresources: ['status', 'eviction'],
    fieldLabels: {
      ...OBJECT_META_FIELDS,
      'spec.nodeName': '',
      'spec.restartPolicy': '',
      'spec.schedulerName': '',
      'spec.serviceAccountName': '',
      'spec.hostNetwork': 'false',
      'status.phase': '',
      'status.podIP': '',
      'status.nominatedNodeName': '',
    },
    deleteReturns: 'object',
    custom: false,
    tracksGeneration: false,
  },
  {
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    verbs: ALL_VERBS,
    subresources: [],
    fieldLabels: OBJECT_META_FIELDS,
    deleteReturns: 'object',
    custom: false,
    tracksGeneration: false,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    kind: 'NetworkPolicy',
    namespaced: true,
    shortNames: ['netpol'],
    verbs: ALL_VERBS,
    subresources: [],
    fieldLabels: OBJECT_META_FIELDS,
    deleteReturns: 'status',
    custom: false,
    tracksGeneration: true,
  },
  {
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    verbs: ALL_VERBS,
    subresources: ['status'],
    fieldLabels: OBJECT_META_FIELDS,
    deleteReturns: 'status',
    custom: false,
    tracksGeneration: true,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    verbs: ALL_VERBS,
    subresources: ['status'],
    fieldLabels: OBJECT_META_FIELDS,
    deleteReturns: 'status',
    custom: false,
    tracksGeneration: true,
  },
  {
    // Written by the VPC CNI's network policy controller, one or more per NetworkPolicy; the
    // node agent enforces these, never the NetworkPolicy itself.
    group: 'networking.k8s.aws',
    version: 'v1alpha1',
    plural: 'policyendpoints',
    singular: 'policyendpoint',
    kind: 'PolicyEndpoint',
    namespaced: true,
    shortNames: [],
    verbs: ALL_VERBS,
    subresources: [],
    fieldLabels: OBJECT_META_FIELDS,
    deleteReturns: 'status',
    custom: true,
    tracksGeneration: true,
  },
  {
    group: 'vpcresources.k8s.aws',
    version: 'v1beta1',
    plural: 'securitygrouppolicies',
    singular: 'securitygrouppolicy',
    kind: 'SecurityGroupPolicy',
    namespaced: true,
    shortNames: ['sgp'],
    verbs: ALL_VERBS,
    subresources: [],
    fieldLabels: OBJECT_META_FIELDS,
    deleteReturns: 'status',
    custom: true,
    tracksGeneration: true,
  },
];

/** The eviction subresource is served under pods but its body belongs to this group. */
export const EVICTION_GROUP_VERSION = { group: 'policy', version: 'v1' } as const;

export function apiVersionOf(resource: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

export function findResource(
  group: string,
  version: string,
  plural: string,
): ResourceDefinition | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findResourceByKind(
  apiVersion: string,
  kind: string,
): ResourceDefinition | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

export const NAMESPACES = RESOURCES.find((r) => r.kind === 'Namespace') as ResourceDefinition;
export const SERVICE_ACCOUNTS = RESOURCES.find(
  (r) => r.kind === 'ServiceAccount',
) as ResourceDefinition;
export const DISRUPTION_BUDGETS = RESOURCES.find(
  (r) => r.kind === 'PodDisruptionBudget',
) as ResourceDefinition;
export const NETWORK_POLICIES = RESOURCES.find(
  (r) => r.kind === 'NetworkPolicy',
) as ResourceDefinition;
export const DAEMON_SETS = RESOURCES.find((r) => r.kind === 'DaemonSet') as ResourceDefinition;
export const POLICY_ENDPOINTS = RESOURCES.find(
  (r) => r.kind === 'PolicyEndpoint',
) as ResourceDefinition;
