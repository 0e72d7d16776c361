import { createServer } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeAdapter } from '@tourniquet/kube';
import { type KubeSimulator, startKubeSimulator } from '@tourniquet/kube-sim';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kubeWhileReachable } from '../src/endpointReach';
import { PermanentActionError } from '../src/errors';
import { RoundTripRecorder } from '../src/testkit';

const POD = { namespace: 'shop', name: 'web-7d4b9c-x2x9q' };
const UNREACHABLE = 'prod-eks-01: cluster API endpoint not reachable from Tourniquet';

let sim: KubeSimulator;
beforeAll(async () => {
  sim = await startKubeSimulator({
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...POD, uid: '5f1c7a8e-2b1d-4c3e-9f7a-0a1b2c3d4e5f', labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx' }] },
      },
    ],
  });
});
afterAll(async () => sim?.stop());

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A reachability check the test settles itself, and the adapter behind it, its calls recorded. */
async function connect(target = new KubeAdapter(sim.kubeConfig())) {
  let settle!: { pass: () => void; fail: (error: Error) => void };
  const reachable = new Promise<void>((pass, fail) => {
    settle = { pass, fail };
  });
  const recorder = new RoundTripRecorder();
  const adapter = recorder.adapter('kube', target);
  const kube = await kubeWhileReachable(reachable, Promise.resolve(adapter));
  return { kube, recorder, settle };
}

const sent = (recorder: RoundTripRecorder) => recorder.trips.map((t) => t.name);

describe('Kubernetes while the endpoint reachability check is in flight', () => {
  it('a read goes out at once and answers once the check passed', async () => {
    const { kube, recorder, settle } = await connect();
    const pod = kube.readPod(POD.namespace, POD.name);
    expect(sent(recorder)).toEqual(['kube:readPod']);
    settle.pass();
    expect((await pod)?.metadata?.uid).toBe('5f1c7a8e-2b1d-4c3e-9f7a-0a1b2c3d4e5f');
  });

  it('a write waits for the check, and is never sent to an endpoint found out of reach', async () => {
    const { kube, recorder, settle } = await connect();
    const read = kube.readPod(POD.namespace, POD.name);
    const write = kube.patchPodMetadata(POD.namespace, POD.name, { labels: { marked: 'yes' } });
    expect(sent(recorder)).toEqual(['kube:readPod']);
    settle.fail(new PermanentActionError(UNREACHABLE));
    // Both report why the cluster is out of reach, the read too, although it was answered.
    await expect(read).rejects.toThrow(UNREACHABLE);
    await expect(write).rejects.toThrow(UNREACHABLE);
    expect(sent(recorder)).toEqual(['kube:readPod']);
    expect(sim.get('v1', 'Pod', POD.namespace, POD.name)?.metadata).toMatchObject({
      labels: { app: 'web' },
    });
  });

  it('a read that failed first still reports the unreachable endpoint, not its own error', async () => {
    // Nothing listens here: the connection is refused at once, before the check fails.
    const closed = new KubeConfig();
    closed.loadFromOptions({
      clusters: [
        { name: 'c', server: `http://127.0.0.1:${await closedPort()}`, skipTLSVerify: true },
      ],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const { kube, recorder, settle } = await connect(new KubeAdapter(closed));
    const read = kube.readPod(POD.namespace, POD.name);
    await vi.waitFor(() => expect(recorder.trips[0]?.end).toBeLessThan(Number.POSITIVE_INFINITY));
    settle.fail(new PermanentActionError(UNREACHABLE));
    await expect(read).rejects.toThrow(UNREACHABLE);
  });
});
