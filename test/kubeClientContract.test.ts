import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { KubeAdapter, type KubeApiError, type MetadataPatch } from '@tourniquet/kube';
import { type KubeSimulator, startKubeSimulator } from '@tourniquet/kube-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KubeFront, startKubeFront, type WireRequest } from './helpers/kubeFront';
import { denyAll, kubeSeed, NODE_NAME, POD } from './helpers/kubeSeed';

/**
 * The calls the actions make, written once against an interface both clients satisfy: the
 * adapter, and the same calls done with @kubernetes/client-node as the adapter made them before
 * it had its own client (merge patches through setHeaderOptions, reads through the typed APIs).
 */
type Calls = Pick<
  KubeAdapter,
  | 'readPod'
  | 'patchPodMetadata'
  | 'readNamespace'
  | 'readServiceAccount'
  | 'readNode'
  | 'listNodes'
  | 'listPodsOnNode'
  | 'setNodeUnschedulable'
  | 'readNetworkPolicy'
  | 'createNetworkPolicy'
  | 'deleteNetworkPolicy'
  | 'listDaemonSets'
  | 'listPolicyEndpoints'
>;

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return null;
    throw error;
  }
}

function clientNodeCalls(kc: KubeConfig): Calls {
  const core = kc.makeApiClient(CoreV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    readPod: (namespace, name) => orNull(core.readNamespacedPod({ namespace, name })),
    patchPodMetadata: (namespace, name, metadata: MetadataPatch) =>
      core.patchNamespacedPod({ namespace, name, body: { metadata } }, MERGE_PATCH),
    readNamespace: (name) => orNull(core.readNamespace({ name })),
    readServiceAccount: (namespace, name) =>
      orNull(core.readNamespacedServiceAccount({ namespace, name })),
    readNode: (name) => orNull(core.readNode({ name })),
    listNodes: async () => (await core.listNode()).items,
    listPodsOnNode: async (nodeName) =>
      (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` })).items,
    setNodeUnschedulable: (name, unschedulable) =>
      core.patchNode(
        { name, body: { spec: { unschedulable: unschedulable || null } } },
        MERGE_PATCH,
      ),
    readNetworkPolicy: (namespace, name) =>
      orNull(networking.readNamespacedNetworkPolicy({ namespace, name })),
    createNetworkPolicy: (namespace, body) =>
      networking.createNamespacedNetworkPolicy({ namespace, body }),
    deleteNetworkPolicy: async (namespace, name) =>
      (await orNull(networking.deleteNamespacedNetworkPolicy({ namespace, name }))) !== null,
    listDaemonSets: async (namespace) => (await apps.listNamespacedDaemonSet({ namespace })).items,
    listPolicyEndpoints: async (namespace) => {
      const list = (await orNull(
        custom.listNamespacedCustomObject({
          group: 'networking.k8s.aws',
          version: 'v1alpha1',
          namespace,
          plural: 'policyendpoints',
        }),
      )) as { items?: [] } | null;
      return list?.items ?? [];
    },
  };
}

/** What isolate-pod, label-pod, cordon-node and their undos do, in one sequence. */
const SEQUENCE: Array<[string, (k: Calls) => Promise<unknown>]> = [
  ['read pod', (k) => k.readPod(POD.namespace, POD.name)],
  ['read missing pod', (k) => k.readPod(POD.namespace, 'gone')],
  ['read namespace', (k) => k.readNamespace(POD.namespace)],
  ['read service account', (k) => k.readServiceAccount(POD.namespace, 'web')],
  ['list daemonsets', (k) => k.listDaemonSets('kube-system')],
  [
    'label pod',
    (k) =>
      k.patchPodMetadata(POD.namespace, POD.name, {
        labels: { 'tourniquet.io/incident': 'inc-1' },
        annotations: { 'tourniquet.io/incident': 'inc-1' },
      }),
  ],
  ['create policy', (k) => k.createNetworkPolicy(POD.namespace, denyAll())],
  ['create policy again', (k) => k.createNetworkPolicy(POD.namespace, denyAll())],
  ['read policy', (k) => k.readNetworkPolicy(POD.namespace, 'tourniquet-isolate-web')],
  ['list policy endpoints', (k) => k.listPolicyEndpoints(POD.namespace)],
  ['list nodes', (k) => k.listNodes()],
  ['read node', (k) => k.readNode(NODE_NAME)],
  ['list pods on node', (k) => k.listPodsOnNode(NODE_NAME)],
  ['cordon', (k) => k.setNodeUnschedulable(NODE_NAME, true)],
  ['patch missing pod', (k) => k.patchPodMetadata(POD.namespace, 'gone', { labels: { a: 'b' } })],
  [
    'unlabel pod',
    (k) =>
      k.patchPodMetadata(POD.namespace, POD.name, {
        labels: { 'tourniquet.io/incident': null },
        annotations: { 'tourniquet.io/incident': null },
      }),
  ],
  ['uncordon', (k) => k.setNodeUnschedulable(NODE_NAME, false)],
  ['delete policy', (k) => k.deleteNetworkPolicy(POD.namespace, 'tourniquet-isolate-web')],
  ['delete policy again', (k) => k.deleteNetworkPolicy(POD.namespace, 'tourniquet-isolate-web')],
  ['invalid policy', (k) => k.createNetworkPolicy(POD.namespace, { ...denyAll('Not_A_Name') })],
];

/**
 * Left out: what each server makes up on its own (uids, clock, the random suffix of a
 * generated name) and timestamps, which client-node turns into Dates; everything else must match.
 */
function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null), (key, v) => {
    if (key === 'uid' || key === 'creationTimestamp') return undefined;
    if (key === 'name' && typeof v === 'string')
      return v.replace(/^(tourniquet-.*)-[a-z0-9]{5}$/, '$1-*');
    return v;
  });
}

interface Run {
  outcomes: Array<{ step: string; value?: unknown; status?: number }>;
  wire: Array<Omit<WireRequest, 'body'> & { body: unknown }>;
  /** The simulator's state after each step. */
  states: unknown[];
}

const KINDS = [
  ['v1', 'Pod'],
  ['v1', 'Node'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['networking.k8s.aws/v1alpha1', 'PolicyEndpoint'],
] as const;

async function run(makeCalls: (front: KubeFront) => Calls): Promise<Run> {
  const sim: KubeSimulator = await startKubeSimulator({ objects: kubeSeed(), token: TOKEN });
  const front = await startKubeFront({ target: sim.url });
  try {
    const calls = makeCalls(front);
    const outcomes: Run['outcomes'] = [];
    const states: unknown[] = [];
    for (const [step, call] of SEQUENCE) {
      try {
        outcomes.push({ step, value: comparable(await call(calls)) });
      } catch (error) {
        const status = (error as ApiException<unknown> | KubeApiError).code;
        if (typeof status !== 'number') throw error;
        outcomes.push({ step, status });
      }
      states.push(comparable(KINDS.map(([apiVersion, kind]) => sim.list(apiVersion, kind))));
    }
    // client-node labels a bodiless DELETE application/json too; with no body there is nothing
    // for the server to read it for, so the header is compared only where a body goes out.
    const wire = front.requests.map(({ headers, body, ...r }) => ({
      ...r,
      headers: body === '' ? { ...headers, 'content-type': undefined } : headers,
      body: body === '' ? '' : JSON.parse(body),
    }));
    return { outcomes, wire, states };
  } finally {
    await front.stop();
    await sim.stop();
  }
}

const TOKEN = 'contract-token';
let reference: Run;
let ours: Run;

beforeAll(async () => {
  reference = await run((front) => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: front.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: TOKEN }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    return clientNodeCalls(kc);
  });
  ours = await run(
    (front) => new KubeAdapter({ server: front.url, token: TOKEN, skipTLSVerify: true }),
  );
});

describe('Kubernetes client: contract with @kubernetes/client-node', () => {
  it('the same sequence leaves the same cluster state after every step', () => {
    expect(ours.states).toEqual(reference.states);
    const stateAfter = (step: string) =>
      JSON.stringify(reference.states[SEQUENCE.findIndex(([s]) => s === step)]);
    // The steps did change things: a label, a policy and its endpoints, a cordon.
    expect(stateAfter('label pod')).toContain('"tourniquet.io/incident":"inc-1"');
    expect(stateAfter('list policy endpoints')).toContain('"kind":"PolicyEndpoint"');
    expect(stateAfter('cordon')).toContain('"unschedulable":true');
    expect(stateAfter('uncordon')).not.toContain('unschedulable');
  });

  it('each call returns the same objects and fails with the same status', () => {
    expect(ours.outcomes).toEqual(reference.outcomes);
    expect(reference.outcomes.filter((o) => o.status).map((o) => [o.step, o.status])).toEqual([
      ['create policy again', 409],
      ['patch missing pod', 404],
      ['invalid policy', 422],
    ]);
  });

  it('each call goes out with the same method, path, query, headers and body', () => {
    expect(ours.wire).toEqual(reference.wire);
    expect(reference.wire).toHaveLength(SEQUENCE.length);
  });
});
