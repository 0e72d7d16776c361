import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyError } from '@tourniquet/actions';
import { freePort } from '@tourniquet/core/testkit';
import { isKubeStatus, KubeAdapter, KubeApiError, KubeRequestError } from '@tourniquet/kube';
import { type KubeSimulator, startKubeSimulator } from '@tourniquet/kube-sim';
import { type FaultKind, startFaultProxy } from '@tourniquet/testkit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type KubeFront, makeTestPki, startKubeFront, type TestPki } from './helpers/kubeFront';
import { denyAll, INSTANCE_ID, kubeSeed, NODE_NAME, POD } from './helpers/kubeSeed';

let pki: TestPki;
let sim: KubeSimulator;
let front: KubeFront;
let kube: KubeAdapter;
const stops: Array<() => Promise<void>> = [];

beforeAll(() => {
  pki = makeTestPki();
});

beforeEach(async () => {
  sim = await startKubeSimulator({ objects: kubeSeed() });
  // The simulator speaks HTTP; the front terminates TLS with a cluster CA, as EKS's endpoint does.
  front = await startKubeFront({ target: sim.url, tls: pki });
  kube = new KubeAdapter({ server: front.url, caData: pki.caData, token: sim.token });
});

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  await front.stop();
  await sim.stop();
});

/** The error a call throws (fails the test when it does not throw). */
async function thrown(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Kubernetes client: calls over HTTPS with the cluster CA', () => {
  it('reads a pod, and null for a pod that does not exist', async () => {
    const pod = await kube.readPod(POD.namespace, POD.name);
    expect(pod?.metadata?.labels).toEqual({ app: 'web' });
    expect(pod?.status?.podIP).toBe('10.0.1.57');
    expect(await kube.readPod(POD.namespace, 'gone')).toBeNull();
  });

  it('merge-patches pod labels and annotations, null removing a key', async () => {
    await kube.patchPodMetadata(POD.namespace, POD.name, {
      labels: { 'tourniquet.io/incident': 'inc-1' },
      annotations: { 'tourniquet.io/reason': 'finding' },
    });
    const patched = await kube.patchPodMetadata(POD.namespace, POD.name, {
      labels: { app: null },
    });
    expect(patched.metadata?.labels).toEqual({ 'tourniquet.io/incident': 'inc-1' });
    const stored = sim.get('v1', 'Pod', POD.namespace, POD.name)?.metadata;
    expect(stored?.labels).toEqual({ 'tourniquet.io/incident': 'inc-1' });
    expect(stored?.annotations).toEqual({ 'tourniquet.io/reason': 'finding' });
    const patch = front.requests.find((r) => r.method === 'PATCH');
    expect(patch?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({
      metadata: {
        labels: { 'tourniquet.io/incident': 'inc-1' },
        annotations: { 'tourniquet.io/reason': 'finding' },
      },
    });
  });

  it('reads a namespace and a service account, null for missing ones', async () => {
    expect((await kube.readNamespace('shop'))?.metadata?.name).toBe('shop');
    expect(await kube.readNamespace('nope')).toBeNull();
    const sa = await kube.readServiceAccount('shop', 'web');
    expect(sa?.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::123456789012:role/shop-web',
    );
    expect(await kube.readServiceAccount('shop', 'nope')).toBeNull();
  });

  it('reads, lists and finds nodes by instance id', async () => {
    expect((await kube.readNode(NODE_NAME))?.spec?.providerID).toContain(INSTANCE_ID);
    expect(await kube.readNode('nope')).toBeNull();
    expect((await kube.listNodes()).map((n) => n.metadata?.name).sort()).toEqual([
      'ip-10-0-1-23.ec2.internal',
      'ip-10-0-2-40.ec2.internal',
    ]);
    expect((await kube.findNodeByInstanceId(INSTANCE_ID))?.metadata?.name).toBe(NODE_NAME);
    expect(await kube.findNodeByInstanceId('i-00000000000000000')).toBeNull();
  });

  it('lists the pods on a node through a field selector', async () => {
    const pods = await kube.listPodsOnNode(NODE_NAME);
    expect(pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort()).toEqual([
      'monitoring/node-exporter-8kq2p',
      'shop/web-7d4b9c-x2x9q',
    ]);
    expect(await kube.listPodsOnNode('ip-10-0-2-40.ec2.internal')).toEqual([]);
    expect(front.requests.at(-1)?.path).toBe(
      '/api/v1/pods?fieldSelector=spec.nodeName%3Dip-10-0-2-40.ec2.internal',
    );
  });

  it('cordons a node and uncordons it by removing the field', async () => {
    expect((await kube.setNodeUnschedulable(NODE_NAME, true)).spec?.unschedulable).toBe(true);
    const node = () => sim.get('v1', 'Node', null, NODE_NAME);
    expect(node()?.spec).toMatchObject({ unschedulable: true });
    await kube.setNodeUnschedulable(NODE_NAME, false);
    expect(node()?.spec).not.toHaveProperty('unschedulable');
    const bodies = front.requests
      .filter((r) => r.method === 'PATCH')
      .map((r) => JSON.parse(r.body));
    expect(bodies).toEqual([{ spec: { unschedulable: true } }, { spec: { unschedulable: null } }]);
  });

  it('creates, reads and deletes a NetworkPolicy; a second create is a 409', async () => {
    const created = await kube.createNetworkPolicy(POD.namespace, denyAll());
    expect(created.metadata?.uid).toBeTruthy();
    expect(front.requests.at(-1)?.headers['content-type']).toBe('application/json');
    expect((await kube.readNetworkPolicy(POD.namespace, 'tourniquet-isolate-web'))?.spec).toEqual(
      denyAll().spec,
    );
    const again = await thrown(kube.createNetworkPolicy(POD.namespace, denyAll()));
    expect(isKubeStatus(again, 409)).toBe(true);
    expect((again as KubeApiError).reason).toBe('AlreadyExists');
    expect(await kube.deleteNetworkPolicy(POD.namespace, 'tourniquet-isolate-web')).toBe(true);
    expect(await kube.deleteNetworkPolicy(POD.namespace, 'tourniquet-isolate-web')).toBe(false);
    expect(await kube.readNetworkPolicy(POD.namespace, 'tourniquet-isolate-web')).toBeNull();
  });

  it("lists DaemonSets and the PolicyEndpoints the VPC CNI's controller writes", async () => {
    expect((await kube.listDaemonSets('kube-system')).map((d) => d.metadata?.name)).toEqual([
      'aws-node',
    ]);
    expect(await kube.listPolicyEndpoints(POD.namespace)).toEqual([]);
    await kube.createNetworkPolicy(POD.namespace, denyAll());
    const endpoints = await kube.listPolicyEndpoints(POD.namespace);
    expect(endpoints.map((e) => e.spec?.policyRef?.name)).toEqual(['tourniquet-isolate-web']);
  });

  it('sends the bearer token and asks for JSON on every call', async () => {
    await kube.readPod(POD.namespace, POD.name);
    await kube.listNodes();
    await kube.createNetworkPolicy(POD.namespace, denyAll());
    expect(front.requests).toHaveLength(3);
    for (const request of front.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${sim.token}`);
      expect(request.headers.accept).toBe('application/json, */*;q=0.8');
    }
  });
});

describe('Kubernetes client: failures keep the status and classify like client-node errors', () => {
  it('a wrong token is a 401 that escalates', async () => {
    const wrong = new KubeAdapter({ server: front.url, caData: pki.caData, token: 'stolen' });
    const error = await thrown(wrong.readPod(POD.namespace, POD.name));
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).code).toBe(401);
    expect(classifyError(error, 'reading the pod').name).toBe('PermanentActionError');
  });

  it('patching a pod that is gone is a 404 (only reads turn 404 into null)', async () => {
    const error = await thrown(
      kube.patchPodMetadata(POD.namespace, 'gone', { labels: { a: 'b' } }),
    );
    expect(isKubeStatus(error, 404)).toBe(true);
    expect((error as Error).message).toMatch(
      /PATCH \/api\/v1\/namespaces\/shop\/pods\/gone: HTTP 404 NotFound/,
    );
    expect(classifyError(error, 'labelling').name).toBe('PermanentActionError');
  });

  it('an invalid NetworkPolicy is a 422 naming the field, and escalates', async () => {
    const invalid = denyAll();
    (invalid.spec as { policyTypes: string[] }).policyTypes = ['Sideways'];
    const error = await thrown(kube.createNetworkPolicy(POD.namespace, invalid));
    expect(isKubeStatus(error, 422)).toBe(true);
    expect((error as KubeApiError).reason).toBe('Invalid');
    expect((error as Error).message).toMatch(/policyTypes/);
    expect(classifyError(error, 'isolating').name).toBe('PermanentActionError');
  });

  it('a 403 from RBAC escalates with the server message', async () => {
    const rbac = await startKubeFront({
      tls: pki,
      answer: () => ({
        status: 403,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'nodes "x" is forbidden: User "tourniquet" cannot patch resource "nodes"',
          reason: 'Forbidden',
          code: 403,
        },
      }),
    });
    stops.push(rbac.stop);
    const denied = new KubeAdapter({ server: rbac.url, caData: pki.caData, token: 't' });
    const error = await thrown(denied.setNodeUnschedulable('x', true));
    expect(isKubeStatus(error, 403)).toBe(true);
    expect((error as Error).message).toMatch(/cannot patch resource "nodes"/);
    expect(classifyError(error, 'cordoning').name).toBe('PermanentActionError');
  });

  it('a missing PolicyEndpoint CRD (404 on the list) reads as no PolicyEndpoints', async () => {
    const noCrd = await startKubeFront({
      tls: pki,
      answer: () => ({
        status: 404,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        },
      }),
    });
    stops.push(noCrd.stop);
    const bare = new KubeAdapter({ server: noCrd.url, caData: pki.caData, token: 't' });
    expect(await bare.listPolicyEndpoints('shop')).toEqual([]);
    expect(noCrd.requests[0]?.path).toBe(
      '/apis/networking.k8s.aws/v1alpha1/namespaces/shop/policyendpoints',
    );
  });

  /** A client whose every request meets one fault of the fault proxy. */
  async function faulty(kind: FaultKind): Promise<KubeAdapter> {
    const proxy = await startFaultProxy({ target: sim.url, rate: 1, kinds: [kind] });
    stops.push(proxy.stop);
    return new KubeAdapter({ server: proxy.url, token: sim.token, skipTLSVerify: true });
  }

  it('throttling is a 429 with Retry-After, and retries', async () => {
    const error = await thrown((await faulty('throttle')).readPod(POD.namespace, POD.name));
    expect(isKubeStatus(error, 429)).toBe(true);
    expect((error as KubeApiError).retryAfterSeconds).toBe(0);
    expect(classifyError(error, 'reading the pod').name).toBe('TransientActionError');
  });

  it('a 5xx retries', async () => {
    const error = await thrown((await faulty('server-error')).listNodes());
    expect((error as KubeApiError).code).toBeGreaterThanOrEqual(500);
    expect(classifyError(error, 'listing nodes').name).toBe('TransientActionError');
  });

  it('a dropped connection is a request error with its network code, and retries', async () => {
    const error = await thrown((await faulty('drop')).readNode(NODE_NAME));
    expect(error).toBeInstanceOf(KubeRequestError);
    expect((error as KubeRequestError).code).toBe('ECONNRESET');
    expect(classifyError(error, 'reading the node').name).toBe('TransientActionError');
  });

  it('a refused connection retries', async () => {
    const closed = new KubeAdapter({
      server: `https://127.0.0.1:${await freePort()}`,
      caData: pki.caData,
      token: 't',
    });
    const error = await thrown(closed.readNode(NODE_NAME));
    expect((error as KubeRequestError).code).toBe('ECONNREFUSED');
    expect(classifyError(error, 'reading the node').name).toBe('TransientActionError');
  });

  it('a server certificate the cluster CA did not sign is refused, and escalates', async () => {
    const other = makeTestPki();
    const impostor = new KubeAdapter({ server: front.url, caData: other.caData, token: sim.token });
    const error = await thrown(impostor.readPod(POD.namespace, POD.name));
    expect(error).toBeInstanceOf(KubeRequestError);
    expect(front.requests).toHaveLength(0);
    expect(classifyError(error, 'reading the pod').name).toBe('PermanentActionError');
  });

  it('sends a call once more when its kept-alive connection was closed by the server', async () => {
    // Answers the first request on each connection and drops any later one unanswered: what a
    // reused connection meets after the server timed it out (e.g. while a Lambda was frozen).
    const served = new WeakSet<object>();
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      if (served.has(req.socket)) return req.socket.destroy();
      served.add(req.socket);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'NodeList', items: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as AddressInfo;
    const local = new KubeAdapter({
      server: `http://127.0.0.1:${port}`,
      token: 't',
      skipTLSVerify: true,
    });
    expect(await local.listNodes()).toEqual([]);
    expect(await local.listNodes()).toEqual([]);
    expect(requests).toBe(3);
  });

  it('refuses to send the token over plain http unless told it is a local simulator', () => {
    expect(() => new KubeAdapter({ server: sim.url, token: sim.token })).toThrow(/plain http/);
    expect(() => new KubeAdapter({ server: 'ftp://x', token: 't' })).toThrow(/https:\/\//);
  });
});
