import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { admissionPolicyYaml, kubernetesGroups } from '../scripts/permissionsDoc';
import { REPO_ROOT } from './helpers/events';

/**
 * docs/admission-policy.yaml: parsed as Kubernetes would read it, and its CEL evaluated (with
 * cel-js, the expressions use only standard CEL) against the admission requests Tourniquet's
 * actions make and the ones a stolen Tourniquet credential would make.
 */
const text = readFileSync(join(REPO_ROOT, 'docs/admission-policy.yaml'), 'utf8');
const [policy, binding] = parseAllDocuments(text).map((d) => d.toJS()) as any[];

interface Request {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  group?: string;
  resource: string;
  subResource?: string;
  namespace?: string;
  groups?: string[];
  object?: unknown;
  oldObject?: unknown;
}

/** What the API server does with the policy: match condition, then every validation. */
function admit(r: Request): { applies: boolean; allowed: boolean; messages: string[] } {
  const context: Record<string, unknown> = {
    object: r.object ?? null,
    oldObject: r.oldObject ?? null,
    request: {
      operation: r.operation,
      namespace: r.namespace ?? '',
      subResource: r.subResource ?? '',
      resource: { group: r.group ?? '', version: 'v1', resource: r.resource },
      userInfo: { username: 'arn:aws:sts::111122223333:assumed-role/x/y', groups: r.groups },
    },
  };
  // Variables are lazy, as in the API server: evaluated when a validation reads them.
  const variables: Record<string, unknown> = {};
  for (const v of policy.spec.variables)
    Object.defineProperty(variables, v.name, {
      enumerable: true,
      get: () => evaluate(v.expression, { ...context, variables }),
    });
  const applies = policy.spec.matchConditions.every((c: any) =>
    evaluate(c.expression, { ...context, variables }),
  );
  if (!applies) return { applies, allowed: true, messages: [] };
  const messages: string[] = [];
  for (const v of policy.spec.validations) {
    if (evaluate(v.expression, { ...context, variables }) === true) continue;
    messages.push(v.message ?? String(evaluate(v.messageExpression, { ...context, variables })));
  }
  return { applies, allowed: messages.length === 0, messages };
}

const LABEL_POD = ['system:authenticated', 'tourniquet:label-pod'];
const ISOLATE_POD = ['system:authenticated', 'tourniquet:isolate-pod'];
const CORDON = ['system:authenticated', 'tourniquet:cordon-node'];

const pod = (
  extra: { labels?: object; annotations?: object; image?: string; finalizers?: string[] } = {},
) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'payments-api-7d9f8b6c5-x2kqp',
    namespace: 'payments',
    labels: { app: 'payments-api', ...extra.labels },
    annotations: { 'vpc.amazonaws.com/pod-eni': '[]', ...extra.annotations },
    ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
  },
  spec: { containers: [{ name: 'api', image: extra.image ?? 'payments-api:1.4.2' }] },
});
const node = (extra: { unschedulable?: boolean; labels?: object; taints?: object[] } = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'ip-10-0-12-34.ec2.internal',
    labels: { 'node-role': 'worker', ...extra.labels },
  },
  spec: {
    providerID: 'aws:///us-east-1a/i-0457b77a4379fb617',
    ...(extra.unschedulable ? { unschedulable: true } : {}),
    ...(extra.taints ? { taints: extra.taints } : {}),
  },
});
/** The shape isolate-pod creates (packages/actions/src/actions/isolatePod.ts). */
const denyAll = (
  spec: object = {},
  labels: object = { 'tourniquet.io/incident': 'tq-698290440fa57372' },
) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'tourniquet-quarantine-tq-698290440fa57372', namespace: 'payments', labels },
  spec: {
    podSelector: { matchLabels: { 'tourniquet.io/quarantine': 'tq-698290440fa57372' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [],
    egress: [],
    ...spec,
  },
});
const podUpdate = (
  groups: string[],
  before: object,
  after: object,
  namespace = 'payments',
): Request => ({
  operation: 'UPDATE',
  resource: 'pods',
  namespace,
  groups,
  oldObject: before,
  object: after,
});

describe("docs/admission-policy.yaml (ValidatingAdmissionPolicy for Tourniquet's groups)", () => {
  it('is current, parses, and binds one Deny policy to every Tourniquet Kubernetes group', () => {
    expect(text).toBe(admissionPolicyYaml());
    expect(policy).toMatchObject({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'tourniquet-limits' },
      spec: { failurePolicy: 'Fail' },
    });
    expect(binding).toMatchObject({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      spec: { policyName: 'tourniquet-limits', validationActions: ['Deny'] },
    });
    const rbac = parseAllDocuments(readFileSync(join(REPO_ROOT, 'docs/rbac.yaml'), 'utf8'))
      .map((d) => d.toJS())
      .filter((d: any) => d.kind === 'ClusterRoleBinding')
      .flatMap((d: any) => d.subjects.map((s: any) => s.name));
    expect([...kubernetesGroups()].sort()).toEqual([...rbac].sort());
    for (const group of rbac)
      expect(policy.spec.matchConditions[0].expression).toContain(`"${group}"`);
    expect(policy.spec.validations[1].expression).toContain('"kube-system"');
  });

  it('uses the protected namespaces of the configuration it is generated for', () => {
    const custom = admissionPolicyYaml({ protectedNamespaces: ['kube-system', 'payments-prod'] });
    expect(custom).toContain('"payments-prod"');
    expect(custom).not.toContain('"amazon-guardduty"');
  });

  describe('what the actions do is admitted', () => {
    it.each<[string, Request]>([
      [
        'label-pod labels and annotates a pod',
        podUpdate(
          LABEL_POD,
          pod(),
          pod({
            labels: { 'tourniquet.io/incident': 'tq-698290440fa57372' },
            annotations: {
              'tourniquet.io/incident-key': '111122223333:us-east-1:prod-eks-01:pod:payments/x',
            },
          }),
        ),
      ],
      [
        'isolate-pod sets the quarantine label',
        podUpdate(
          ISOLATE_POD,
          pod(),
          pod({ labels: { 'tourniquet.io/quarantine': 'tq-698290440fa57372' } }),
        ),
      ],
      [
        'release removes the quarantine label again',
        podUpdate(ISOLATE_POD, pod({ labels: { 'tourniquet.io/quarantine': 'tq-1' } }), pod()),
      ],
      [
        'isolate-pod creates its deny-all NetworkPolicy',
        {
          operation: 'CREATE',
          group: 'networking.k8s.io',
          resource: 'networkpolicies',
          namespace: 'payments',
          groups: ISOLATE_POD,
          object: denyAll(),
        },
      ],
      [
        'release deletes that NetworkPolicy',
        {
          operation: 'DELETE',
          group: 'networking.k8s.io',
          resource: 'networkpolicies',
          namespace: 'payments',
          groups: ISOLATE_POD,
          oldObject: denyAll(),
        },
      ],
      [
        'cordon-node cordons a node',
        {
          operation: 'UPDATE',
          resource: 'nodes',
          groups: CORDON,
          oldObject: node(),
          object: node({ unschedulable: true }),
        },
      ],
      [
        'release uncordons it',
        {
          operation: 'UPDATE',
          resource: 'nodes',
          groups: CORDON,
          oldObject: node({ unschedulable: true }),
          object: node(),
        },
      ],
      [
        'a Tourniquet taint on a node',
        {
          operation: 'UPDATE',
          resource: 'nodes',
          groups: CORDON,
          oldObject: node(),
          object: node({ taints: [{ key: 'tourniquet.io/quarantine', effect: 'NoSchedule' }] }),
        },
      ],
    ])('%s', (_name, request) => {
      expect(admit(request)).toEqual({ applies: true, allowed: true, messages: [] });
    });
  });

  describe('what a stolen Tourniquet credential would do is refused', () => {
    it.each<[string, Request, RegExp]>([
      [
        'relabel a pod outside tourniquet.io/ (move it out of a Service)',
        podUpdate(LABEL_POD, pod(), pod({ labels: { app: 'attacker' } })),
        /only change tourniquet\.io\/ labels and annotations of a pod/,
      ],
      [
        'swap a container image',
        podUpdate(LABEL_POD, pod(), pod({ image: 'evil/miner:latest' })),
        /of a pod/,
      ],
      [
        'add a finalizer so the pod cannot be deleted',
        podUpdate(LABEL_POD, pod(), pod({ finalizers: ['evil.example/keep'] })),
        /of a pod/,
      ],
      [
        'label a pod in a protected namespace',
        podUpdate(
          LABEL_POD,
          pod(),
          pod({ labels: { 'tourniquet.io/incident': 'tq-1' } }),
          'kube-system',
        ),
        /namespace kube-system is protected/,
      ],
      [
        'exec into a pod',
        {
          operation: 'CONNECT',
          resource: 'pods',
          subResource: 'exec',
          namespace: 'payments',
          groups: ISOLATE_POD,
        },
        /not \/pods\/exec/,
      ],
      [
        'create a secret',
        {
          operation: 'CREATE',
          resource: 'secrets',
          namespace: 'payments',
          groups: ISOLATE_POD,
          object: { metadata: { name: 's' } },
        },
        /not \/secrets/,
      ],
      [
        'delete a pod',
        {
          operation: 'DELETE',
          resource: 'pods',
          namespace: 'payments',
          groups: ISOLATE_POD,
          oldObject: pod(),
        },
        /of a pod/,
      ],
      [
        'create a NetworkPolicy that cuts a whole application',
        {
          operation: 'CREATE',
          group: 'networking.k8s.io',
          resource: 'networkpolicies',
          namespace: 'payments',
          groups: ISOLATE_POD,
          object: denyAll({ podSelector: { matchLabels: { app: 'payments-api' } } }),
        },
        /deny-all NetworkPolicies for quarantined pods/,
      ],
      [
        'create an allow-all NetworkPolicy',
        {
          operation: 'CREATE',
          group: 'networking.k8s.io',
          resource: 'networkpolicies',
          namespace: 'payments',
          groups: ISOLATE_POD,
          object: denyAll({ ingress: [{}], egress: [{}] }),
        },
        /deny-all NetworkPolicies/,
      ],
      [
        'create a NetworkPolicy without the incident label',
        {
          operation: 'CREATE',
          group: 'networking.k8s.io',
          resource: 'networkpolicies',
          namespace: 'payments',
          groups: ISOLATE_POD,
          object: denyAll({}, {}),
        },
        /deny-all NetworkPolicies/,
      ],
      [
        "delete someone else's NetworkPolicy",
        {
          operation: 'DELETE',
          group: 'networking.k8s.io',
          resource: 'networkpolicies',
          namespace: 'payments',
          groups: ISOLATE_POD,
          oldObject: denyAll({}, { team: 'payments' }),
        },
        /delete those/,
      ],
      [
        'change a NetworkPolicy in place',
        {
          operation: 'UPDATE',
          group: 'networking.k8s.io',
          resource: 'networkpolicies',
          namespace: 'payments',
          groups: ISOLATE_POD,
          oldObject: denyAll(),
          object: denyAll({ ingress: [{}] }),
        },
        /NetworkPolicies/,
      ],
      [
        'relabel a node',
        {
          operation: 'UPDATE',
          resource: 'nodes',
          groups: CORDON,
          oldObject: node(),
          object: node({ labels: { 'node-role': 'attacker' } }),
        },
        /of a node/,
      ],
      [
        "remove a node's taint",
        {
          operation: 'UPDATE',
          resource: 'nodes',
          groups: CORDON,
          oldObject: node({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
          object: node(),
        },
        /of a node/,
      ],
      [
        'delete a node',
        { operation: 'DELETE', resource: 'nodes', groups: CORDON, oldObject: node() },
        /of a node/,
      ],
    ])('%s', (_name, request, message) => {
      const result = admit(request);
      expect(result.applies).toBe(true);
      expect(result.allowed).toBe(false);
      expect(result.messages.join('; ')).toMatch(message);
    });
  });

  it("does not apply to anyone outside Tourniquet's groups", () => {
    const admin = podUpdate(
      ['system:masters', 'system:authenticated'],
      pod(),
      pod({ image: 'x' }),
      'kube-system',
    );
    expect(admit(admin)).toMatchObject({ applies: false });
  });
});
