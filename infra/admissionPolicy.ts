import { TOURNIQUET_LABELS } from '@tourniquet/core';

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes ≥ 1.30) that holds
 * Tourniquet's Kubernetes groups to what the actions do, whatever RBAC is bound to them:
 * - pods: updates that change only `tourniquet.io/` labels and annotations;
 * - NetworkPolicies: creating deny-all policies that carry Tourniquet's incident label and
 *   select only quarantined pods, and deleting policies that carry the label;
 * - nodes: updates that change only `spec.unschedulable` and `tourniquet.io/` labels,
 *   annotations and taints;
 * - nothing in a protected namespace, no subresource (exec, eviction, status…), no other kind.
 * The API server evaluates the CEL below with `object`, `oldObject` (null on CREATE / DELETE
 * respectively) and `request` (incl. `request.userInfo.groups`); docs/aws-behaviours.md cites
 * the API. Written out by `npm run docs:permissions` as docs/admission-policy.yaml.
 */
export const ADMISSION_POLICY_NAME = 'tourniquet-limits';

const PREFIX = 'tourniquet.io/';
const cel = (value: string) => JSON.stringify(value);
const celList = (values: readonly string[]) => `[${values.map(cel).join(', ')}]`;

/** A map field of `object`/`oldObject`, or {} when the object or the field is absent. */
const mapOf = (source: 'object' | 'oldObject', field: 'labels' | 'annotations') =>
  `${source} != null && has(${source}.metadata.${field}) ? ${source}.metadata.${field} : {}`;
const listOf = (source: 'object' | 'oldObject', path: string) =>
  `${source} != null && has(${source}.${path}) ? ${source}.${path} : []`;
/** Every key outside Tourniquet's prefix is present in both maps with the same value. */
const othersKept = (name: 'Labels' | 'Annotations') =>
  `variables.old${name}.all(k, k.startsWith(${cel(PREFIX)}) || (k in variables.new${name} && variables.new${name}[k] == variables.old${name}[k])) && variables.new${name}.all(k, k.startsWith(${cel(PREFIX)}) || k in variables.old${name})`;

export interface AdmissionPolicyOptions {
  /** Kubernetes groups the EKS access entries give Tourniquet's functions. */
  groups: readonly string[];
  /** The configuration's protectedNamespaces. */
  protectedNamespaces: readonly string[];
}

export function admissionPolicyDocuments(options: AdmissionPolicyOptions) {
  const incident = cel(TOURNIQUET_LABELS.incident);
  const quarantine = cel(TOURNIQUET_LABELS.quarantine);
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: ADMISSION_POLICY_NAME },
    spec: {
      failurePolicy: 'Fail',
      // Every kind and subresource: what is not allowed below is refused, even if RBAC allows it.
      matchConstraints: {
        resourceRules: [
          { apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*/*'] },
        ],
      },
      matchConditions: [
        {
          name: 'tourniquet-groups',
          expression: `request.userInfo.groups.exists(g, g in ${celList(options.groups)})`,
        },
      ],
      variables: [
        {
          name: 'resource',
          expression: `request.resource.group + "/" + request.resource.resource`,
        },
        { name: 'oldLabels', expression: mapOf('oldObject', 'labels') },
        { name: 'newLabels', expression: mapOf('object', 'labels') },
        { name: 'oldAnnotations', expression: mapOf('oldObject', 'annotations') },
        { name: 'newAnnotations', expression: mapOf('object', 'annotations') },
        {
          name: 'metadataKept',
          expression: [
            othersKept('Labels'),
            othersKept('Annotations'),
            `(${listOf('object', 'metadata.finalizers')}) == (${listOf('oldObject', 'metadata.finalizers')})`,
            `(${listOf('object', 'metadata.ownerReferences')}) == (${listOf('oldObject', 'metadata.ownerReferences')})`,
          ].join(' && '),
        },
        {
          name: 'otherTaintsKept',
          expression: `(${listOf('object', 'spec.taints')}).filter(t, !t.key.startsWith(${cel(PREFIX)})) == (${listOf('oldObject', 'spec.taints')}).filter(t, !t.key.startsWith(${cel(PREFIX)}))`,
        },
      ],
      validations: [
        {
          expression: `request.subResource == "" && variables.resource in ["/pods", "/nodes", "networking.k8s.io/networkpolicies"]`,
          messageExpression: `"Tourniquet may change only pods, nodes and NetworkPolicies, not " + variables.resource + (request.subResource == "" ? "" : "/" + request.subResource)`,
          reason: 'Forbidden',
        },
        {
          expression: `!(request.namespace in ${celList(options.protectedNamespaces)})`,
          messageExpression: `"namespace " + request.namespace + " is protected: Tourniquet changes nothing in it"`,
          reason: 'Forbidden',
        },
        {
          expression: `variables.resource != "/pods" || (request.operation == "UPDATE" && object.spec == oldObject.spec && variables.metadataKept)`,
          message: `Tourniquet may only change ${PREFIX} labels and annotations of a pod`,
          reason: 'Forbidden',
        },
        {
          expression: [
            `variables.resource != "networking.k8s.io/networkpolicies"`,
            `(request.operation == "CREATE" && ${incident} in variables.newLabels && variables.newLabels[${incident}].startsWith("tq-") && has(object.spec.podSelector.matchLabels) && size(object.spec.podSelector.matchLabels) == 1 && ${quarantine} in object.spec.podSelector.matchLabels && !has(object.spec.podSelector.matchExpressions) && (!has(object.spec.ingress) || size(object.spec.ingress) == 0) && (!has(object.spec.egress) || size(object.spec.egress) == 0))`,
            `(request.operation == "DELETE" && ${incident} in variables.oldLabels)`,
          ].join(' || '),
          message:
            'Tourniquet may only create deny-all NetworkPolicies for quarantined pods, labelled with its incident, and delete those',
          reason: 'Forbidden',
        },
        {
          expression: `variables.resource != "/nodes" || (request.operation == "UPDATE" && variables.metadataKept && variables.otherTaintsKept)`,
          message: `Tourniquet may only change spec.unschedulable and ${PREFIX} labels, annotations and taints of a node`,
          reason: 'Forbidden',
        },
      ],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: ADMISSION_POLICY_NAME },
    spec: { policyName: ADMISSION_POLICY_NAME, validationActions: ['Deny'] },
  };
  return [policy, binding] as const;
}
