import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1NetworkPolicy,
  VersionApi,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeSeedError } from '../src/errors';
import { type KubeObject, type KubeSimulator, startKubeSimulator } from '../src/kubeSimulator';

const NODE_NAME = 'ip-10-0-1-23.ec2.internal';
const NODE_IP = '10.0.1.23';
const POD_UID = '5f1c7a8e-2b1d-4c3e-9f7a-0a1b2c3d4e5f';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/shop-web';

const SEED: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE_NAME, labels: { 'topology.kubernetes.io/zone': 'us-east-1a' } },
    spec: { providerID: 'aws:///us-east-1a/i-0a1b2c3d4e5f60718' },
    status: { addresses: [{ type: 'InternalIP', address: NODE_IP }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7d4b9c-x2x9q',
      namespace: 'shop',
      uid: POD_UID,
      labels: { app: 'web', tier: 'frontend' },
    },
    spec: {
      nodeName: NODE_NAME,
      serviceAccountName: 'web',
      containers: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27' }],
    },
    status: { phase: 'Running', podIP: '10.0.1.57', hostIP: NODE_IP },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'node-exporter-8kq2p',
      namespace: 'monitoring',
      labels: { app: 'node-exporter' },
    },
    spec: {
      nodeName: NODE_NAME,
      hostNetwork: true,
      containers: [{ name: 'exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2' }],
    },
    status: { phase: 'Running', podIP: NODE_IP, hostIP: NODE_IP },
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: 'web',
      namespace: 'shop',
      annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN },
    },
  },
];

const DENY_ALL: V1NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'tourniquet-isolate-web', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { 'tourniquet.io/isolated': 'true' } },
    policyTypes: ['Ingress', 'Egress'],
  },
};

const SGP_API = {
  group: 'vpcresources.k8s.aws',
  version: 'v1beta1',
  plural: 'securitygrouppolicies',
} as const;

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The status code and parsed Status body of the ApiException a client-node call throws. */
async function failure(call: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return { code: error.code, body };
  }
  throw new Error('expected the call to fail');
}

let sim: KubeSimulator;
let kc: KubeConfig;
let core: CoreV1Api;

beforeEach(async () => {
  sim = await startKubeSimulator({ objects: structuredClone(SEED) });
  kc = sim.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await sim.stop();
});

function raw(path: string, init: RequestInit = {}, token: string | null = sim.token) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  return fetch(`${sim.url}${path}`, { ...init, headers });
}

function readJson(response: Response): Promise<any> {
  return response.json();
}

describe('Kube simulator: seeding', () => {
  it('fills server-side metadata and keeps given uids and pod status', async () => {
    const pod = await core.readNamespacedPod({ namespace: 'shop', name: 'web-7d4b9c-x2x9q' });
    expect(pod.metadata?.uid).toBe(POD_UID);
    expect(pod.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(pod.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(pod.status).toMatchObject({ phase: 'Running', podIP: '10.0.1.57', hostIP: NODE_IP });

    const node = await core.readNode({ name: NODE_NAME });
    expect(node.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(node.spec?.providerID).toBe('aws:///us-east-1a/i-0a1b2c3d4e5f60718');
  });

  it('creates the namespaces seeded objects live in, each with a default service account', async () => {
    const { items } = await core.listNamespace();
    const names = items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'monitoring', 'shop']));
    const shop = items.find((n) => n.metadata?.name === 'shop');
    expect(shop?.status?.phase).toBe('Active');
    expect(shop?.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('shop');
    const defaultAccount = await core.readNamespacedServiceAccount({
      namespace: 'shop',
      name: 'default',
    });
    expect(defaultAccount.metadata?.name).toBe('default');
  });

  it('gives every write its own, increasing resourceVersion', () => {
    const versions = [...sim.list('v1', 'Pod'), ...sim.list('v1', 'Node')].map((o) =>
      Number(o.metadata.resourceVersion),
    );
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('refuses an invalid seed with a KubeSeedError naming the object and field', async () => {
    const bad = structuredClone(SEED);
    (bad[0] as any).spec.unschedulable = 'yes';
    const started = startKubeSimulator({ objects: bad });
    await expect(started).rejects.toBeInstanceOf(KubeSeedError);
    await expect(started).rejects.toThrow(/Node ip-10-0-1-23.ec2.internal.*spec\.unschedulable/);
  });

  it('refuses a seed of a kind it does not serve', async () => {
    const started = startKubeSimulator({
      objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }],
    });
    await expect(started).rejects.toThrow(/cannot seed apps\/v1 Deployment/);
  });
});

describe('Kube simulator: reading pods', () => {
  it('lists pods by label selector', async () => {
    const byEquality = await core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app=web',
    });
    expect(byEquality.items.map((p) => p.metadata?.name)).toEqual(['web-7d4b9c-x2x9q']);

    const bySet = await core.listPodForAllNamespaces({
      labelSelector: 'app in (web,node-exporter)',
    });
    expect(bySet.items).toHaveLength(2);

    const byAbsence = await core.listPodForAllNamespaces({ labelSelector: '!tier' });
    expect(byAbsence.items.map((p) => p.metadata?.name)).toEqual(['node-exporter-8kq2p']);

    const byInequality = await core.listPodForAllNamespaces({ labelSelector: 'app!=web,tier' });
    expect(byInequality.items).toHaveLength(0);
  });

  it('lists pods on a node and by pod IP with field selectors', async () => {
    const onNode = await core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${NODE_NAME}`,
    });
    expect(onNode.kind).toBe('PodList');
    expect(onNode.items.map((p) => p.metadata?.name).sort()).toEqual([
      'node-exporter-8kq2p',
      'web-7d4b9c-x2x9q',
    ]);

    const byIp = await core.listPodForAllNamespaces({ fieldSelector: 'status.podIP==10.0.1.57' });
    expect(byIp.items.map((p) => p.metadata?.namespace)).toEqual(['shop']);

    const notHostNetwork = await core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${NODE_NAME},spec.hostNetwork!=true`,
    });
    expect(notHostNetwork.items.map((p) => p.metadata?.name)).toEqual(['web-7d4b9c-x2x9q']);
  });

  it('refuses a field selector the server does not index', async () => {
    const { code, body } = await failure(
      core.listPodForAllNamespaces({ fieldSelector: 'spec.hostname=x' }),
    );
    expect(code).toBe(400);
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest' });
    expect(body.message).toContain('spec.hostname');
  });

  it('pages a list with limit and continue', async () => {
    const first = await core.listPodForAllNamespaces({ limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const second = await core.listPodForAllNamespaces({
      limit: 1,
      _continue: first.metadata?._continue,
    });
    expect(second.items).toHaveLength(1);
    expect(second.metadata?._continue).toBeUndefined();
    expect(second.items[0]?.metadata?.name).not.toBe(first.items[0]?.metadata?.name);
  });

  it('answers 404 NotFound with a Status for a missing pod', async () => {
    const { code, body } = await failure(
      core.readNamespacedPod({ namespace: 'shop', name: 'gone' }),
    );
    expect(code).toBe(404);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "gone" not found',
      reason: 'NotFound',
      details: { name: 'gone', kind: 'pods' },
      code: 404,
    });
  });

  it('finds the node of an instance by providerID and reads the service account role', async () => {
    const { items } = await core.listNode();
    expect(
      items.find((n) => n.spec?.providerID?.endsWith('/i-0a1b2c3d4e5f60718'))?.metadata?.name,
    ).toBe(NODE_NAME);
    const account = await core.readNamespacedServiceAccount({ namespace: 'shop', name: 'web' });
    expect(account.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toBe(ROLE_ARN);
  });
});

describe('Kube simulator: patches', () => {
  it('cordons and uncordons a node with a merge patch', async () => {
    const before = sim.get('v1', 'Node', null, NODE_NAME)?.metadata.resourceVersion;
    const cordoned = await core.patchNode(
      { name: NODE_NAME, body: { spec: { unschedulable: true } } },
      MERGE_PATCH,
    );
    expect(cordoned.spec?.unschedulable).toBe(true);
    expect(Number(cordoned.metadata?.resourceVersion)).toBeGreaterThan(Number(before));
    expect((await core.readNode({ name: NODE_NAME })).spec?.unschedulable).toBe(true);
    const listed = await core.listNode({ fieldSelector: 'spec.unschedulable=true' });
    expect(listed.items).toHaveLength(1);

    await core.patchNode({ name: NODE_NAME, body: { spec: { unschedulable: null } } }, MERGE_PATCH);
    const node = sim.get('v1', 'Node', null, NODE_NAME);
    expect(node?.spec).toEqual({ providerID: 'aws:///us-east-1a/i-0a1b2c3d4e5f60718' });
    expect(sim.requests.at(-1)).toEqual({
      method: 'PATCH',
      path: `/api/v1/nodes/${NODE_NAME}`,
      status: 200,
    });
  });

  it('adds and removes a pod label with a merge patch (null removes)', async () => {
    const target = { namespace: 'shop', name: 'web-7d4b9c-x2x9q' };
    const labelled = await core.patchNamespacedPod(
      { ...target, body: { metadata: { labels: { 'tourniquet.io/isolated': 'true' } } } },
      MERGE_PATCH,
    );
    expect(labelled.metadata?.labels).toEqual({
      app: 'web',
      tier: 'frontend',
      'tourniquet.io/isolated': 'true',
    });

    await core.patchNamespacedPod(
      { ...target, body: { metadata: { labels: { 'tourniquet.io/isolated': null } } } },
      MERGE_PATCH,
    );
    expect(sim.get('v1', 'Pod', 'shop', target.name)?.metadata.labels).toEqual({
      app: 'web',
      tier: 'frontend',
    });
  });

  it('sends a JSON patch by default and applies it', async () => {
    const patched = await core.patchNamespacedPod({
      namespace: 'shop',
      name: 'web-7d4b9c-x2x9q',
      body: [
        { op: 'test', path: '/metadata/labels/app', value: 'web' },
        { op: 'add', path: '/metadata/labels/tourniquet.io~1isolated', value: 'true' },
        { op: 'remove', path: '/metadata/labels/tier' },
      ],
    });
    expect(patched.metadata?.labels).toEqual({ app: 'web', 'tourniquet.io/isolated': 'true' });
  });

  it('answers 400 to a merge-shaped body sent without choosing a patch type', async () => {
    const { code, body } = await failure(
      core.patchNode({ name: NODE_NAME, body: { spec: { unschedulable: true } } }),
    );
    expect(code).toBe(400);
    expect(body.message).toContain('jsonpatch.Patch');
  });

  it('answers 422 when a JSON patch test fails, and changes nothing', async () => {
    const before = sim.get('v1', 'Pod', 'shop', 'web-7d4b9c-x2x9q');
    const { code, body } = await failure(
      core.patchNamespacedPod({
        namespace: 'shop',
        name: 'web-7d4b9c-x2x9q',
        body: [
          { op: 'add', path: '/metadata/labels/quarantine', value: 'true' },
          { op: 'test', path: '/metadata/labels/app', value: 'api' },
        ],
      }),
    );
    expect(code).toBe(422);
    expect(body.reason).toBe('Invalid');
    expect(sim.get('v1', 'Pod', 'shop', 'web-7d4b9c-x2x9q')).toEqual(before);
  });

  it('treats a strategic merge patch as a merge patch', async () => {
    const patched = await core.patchNamespacedServiceAccount(
      {
        namespace: 'shop',
        name: 'web',
        body: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': null } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.metadata?.annotations).toBeUndefined();
  });

  it('answers 415 for server-side apply, which it does not implement', async () => {
    const { code, body } = await failure(
      core.patchNode(
        { name: NODE_NAME, body: { spec: { unschedulable: true } }, fieldManager: 'test' },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    expect(code).toBe(415);
    expect(body.reason).toBe('UnsupportedMediaType');
  });

  it('answers 409 Conflict for a patch that carries a stale resourceVersion', async () => {
    const { code, body } = await failure(
      core.patchNode(
        {
          name: NODE_NAME,
          body: { metadata: { resourceVersion: '1' }, spec: { unschedulable: true } },
        },
        MERGE_PATCH,
      ),
    );
    expect(code).toBe(409);
    expect(body.reason).toBe('Conflict');
    expect(sim.get('v1', 'Node', null, NODE_NAME)?.spec).not.toHaveProperty('unschedulable');
  });

  it('refuses changes to an immutable pod spec with 422', async () => {
    const { code, body } = await failure(
      core.patchNamespacedPod(
        { namespace: 'shop', name: 'web-7d4b9c-x2x9q', body: { spec: { nodeName: 'elsewhere' } } },
        MERGE_PATCH,
      ),
    );
    expect(code).toBe(422);
    expect(body.details.causes).toEqual([
      expect.objectContaining({ field: 'spec', reason: 'FieldValueForbidden' }),
    ]);
  });

  it('keeps pod status out of reach of writes to the pod itself', async () => {
    const patched = await core.patchNamespacedPod(
      { namespace: 'shop', name: 'web-7d4b9c-x2x9q', body: { status: { phase: 'Failed' } } },
      MERGE_PATCH,
    );
    expect(patched.status?.phase).toBe('Running');
    const viaStatus = await core.patchNamespacedPodStatus(
      { namespace: 'shop', name: 'web-7d4b9c-x2x9q', body: { status: { phase: 'Failed' } } },
      MERGE_PATCH,
    );
    expect(viaStatus.status?.phase).toBe('Failed');
  });
});

describe('Kube simulator: NetworkPolicy lifecycle', () => {
  it('creates, conflicts on re-create, deletes, then 404s', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    const created = await networking.createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: DENY_ALL,
    });
    expect(created.metadata).toMatchObject({
      name: DENY_ALL.metadata?.name,
      namespace: 'shop',
      generation: 1,
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(sim.requests.at(-1)?.status).toBe(201);

    const read = await networking.readNamespacedNetworkPolicy({
      namespace: 'shop',
      name: 'tourniquet-isolate-web',
    });
    expect(read.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(read.spec?.podSelector).toEqual({ matchLabels: { 'tourniquet.io/isolated': 'true' } });

    const again = await failure(
      networking.createNamespacedNetworkPolicy({ namespace: 'shop', body: DENY_ALL }),
    );
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'networkpolicies.networking.k8s.io "tourniquet-isolate-web" already exists',
      details: {
        name: 'tourniquet-isolate-web',
        group: 'networking.k8s.io',
        kind: 'networkpolicies',
      },
    });

    const deleted = await networking.deleteNamespacedNetworkPolicy({
      namespace: 'shop',
      name: 'tourniquet-isolate-web',
    });
    expect(deleted).toMatchObject({ kind: 'Status', status: 'Success' });

    const gone = await failure(
      networking.readNamespacedNetworkPolicy({ namespace: 'shop', name: 'tourniquet-isolate-web' }),
    );
    expect(gone.code).toBe(404);
    expect(sim.list('networking.k8s.io/v1', 'NetworkPolicy')).toEqual([]);
  });

  it('defaults policyTypes to Ingress when none are given, like the real server', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    const body = structuredClone(DENY_ALL);
    delete body.spec?.policyTypes;
    const created = await networking.createNamespacedNetworkPolicy({ namespace: 'shop', body });
    expect(created.spec?.policyTypes).toEqual(['Ingress']);
  });

  it('answers 409 Conflict to a replace with a stale resourceVersion', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    const created = await networking.createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: DENY_ALL,
    });
    const name = 'tourniquet-isolate-web';
    const changed = structuredClone(created);
    changed.spec = { podSelector: {}, policyTypes: ['Ingress'] };
    const replaced = await networking.replaceNamespacedNetworkPolicy({
      namespace: 'shop',
      name,
      body: changed,
    });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    expect(replaced.metadata?.generation).toBe(2);

    const stale = await failure(
      networking.replaceNamespacedNetworkPolicy({ namespace: 'shop', name, body: created }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(stale.body.message).toContain('the object has been modified');
  });

  it('does not bump the resourceVersion for a replace that changes nothing', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    const created = await networking.createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: DENY_ALL,
    });
    const replaced = await networking.replaceNamespacedNetworkPolicy({
      namespace: 'shop',
      name: 'tourniquet-isolate-web',
      body: created,
    });
    expect(replaced.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('answers 404 for an object created in a namespace that does not exist', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    const { code, body } = await failure(
      networking.createNamespacedNetworkPolicy({
        namespace: 'nowhere',
        body: { ...DENY_ALL, metadata: { name: 'x' } },
      }),
    );
    expect(code).toBe(404);
    expect(body.message).toBe('namespaces "nowhere" not found');
  });
});

describe('Kube simulator: validation', () => {
  it('answers 422 Invalid naming the field for a pod whose containers are a string', async () => {
    const response = await raw('/api/v1/namespaces/shop/pods', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bad' },
        spec: { containers: 'app' },
      }),
    });
    expect(response.status).toBe(422);
    const body = await readJson(response);
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
    expect(body.details).toMatchObject({ name: 'bad', kind: 'Pod' });
    expect(body.details.causes).toContainEqual(
      expect.objectContaining({ field: 'spec.containers' }),
    );
    expect(sim.get('v1', 'Pod', 'shop', 'bad')).toBeUndefined();
  });

  it('answers 422 through client-node for a wrongly typed node field', async () => {
    const { code, body } = await failure(
      core.patchNode({ name: NODE_NAME, body: { spec: { unschedulable: 'yes' } } }, MERGE_PATCH),
    );
    expect(code).toBe(422);
    expect(body.details.causes).toEqual([
      expect.objectContaining({ field: 'spec.unschedulable', reason: 'FieldValueTypeInvalid' }),
    ]);
  });

  it('answers 422 for a label value the server would refuse', async () => {
    const { code, body } = await failure(
      core.patchNamespacedPod(
        {
          namespace: 'shop',
          name: 'web-7d4b9c-x2x9q',
          body: { metadata: { labels: { isolated: 'yes please' } } },
        },
        MERGE_PATCH,
      ),
    );
    expect(code).toBe(422);
    expect(body.details.causes[0].field).toBe('metadata.labels');
  });

  it('answers 400 when the body names a different object than the URL', async () => {
    const account = await core.readNamespacedServiceAccount({ namespace: 'shop', name: 'web' });
    account.metadata = { ...account.metadata, name: 'other' };
    const { code, body } = await failure(
      core.replaceNamespacedServiceAccount({ namespace: 'shop', name: 'web', body: account }),
    );
    expect(code).toBe(400);
    expect(body.message).toBe(
      'the name of the object (other) does not match the name on the URL (web)',
    );
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await raw('/api/v1/namespaces/shop/serviceaccounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata":',
    });
    expect(response.status).toBe(400);
    expect((await readJson(response)).reason).toBe('BadRequest');
  });

  it('answers 405 for a verb the path does not serve, 404 for a path it does not know', async () => {
    const post = await raw(`/api/v1/nodes/${NODE_NAME}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(405);
    expect((await readJson(post)).reason).toBe('MethodNotAllowed');
    const unknown = await raw('/apis/apps/v1/namespaces/shop/deployments');
    expect(unknown.status).toBe(404);
  });
});

describe('Kube simulator: authentication', () => {
  it('answers 401 Unauthorized without a token', async () => {
    const response = await raw('/api/v1/pods', {}, null);
    expect(response.status).toBe(401);
    expect(await readJson(response)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      details: {},
      code: 401,
    });
  });

  it('answers 401 to client-node with the wrong token', async () => {
    const other = await startKubeSimulator({ token: 'k8s-aws-v1.other' });
    try {
      const wrong = other.kubeConfig();
      wrong.clusters = [
        { ...wrong.clusters[0], name: 'simulator', server: sim.url, skipTLSVerify: true },
      ];
      const { code } = await failure(wrong.makeApiClient(CoreV1Api).listNode());
      expect(code).toBe(401);
      expect(sim.requests.at(-1)).toEqual({ method: 'GET', path: '/api/v1/nodes', status: 401 });
    } finally {
      await other.stop();
    }
  });

  it('accepts exactly the token it was given', async () => {
    const eks = await startKubeSimulator({ token: 'k8s-aws-v1.aHR0cHM6Ly9zdHM' });
    try {
      expect(eks.token).toBe('k8s-aws-v1.aHR0cHM6Ly9zdHM');
      const { items } = await eks.kubeConfig().makeApiClient(CoreV1Api).listNamespace();
      expect(items.length).toBeGreaterThan(0);
    } finally {
      await eks.stop();
    }
  });
});

describe('Kube simulator: SecurityGroupPolicy', () => {
  const sgp = {
    apiVersion: 'vpcresources.k8s.aws/v1beta1',
    kind: 'SecurityGroupPolicy',
    metadata: { name: 'web-quarantine' },
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      securityGroups: { groupIds: ['sg-0123456789abcdef0'] },
    },
  };

  it('creates, reads and lists through CustomObjectsApi', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const created = await custom.createNamespacedCustomObject({
      ...SGP_API,
      namespace: 'shop',
      body: sgp,
    });
    expect(created.metadata).toMatchObject({
      name: 'web-quarantine',
      namespace: 'shop',
      generation: 1,
    });

    const read = await custom.getNamespacedCustomObject({
      ...SGP_API,
      namespace: 'shop',
      name: 'web-quarantine',
    });
    expect(read.spec.securityGroups.groupIds).toEqual(['sg-0123456789abcdef0']);

    const list = await custom.listNamespacedCustomObject({ ...SGP_API, namespace: 'shop' });
    expect(list.kind).toBe('SecurityGroupPolicyList');
    expect(list.items.map((i: any) => [i.kind, i.metadata.name])).toEqual([
      ['SecurityGroupPolicy', 'web-quarantine'],
    ]);
    expect(
      sim.get('vpcresources.k8s.aws/v1beta1', 'SecurityGroupPolicy', 'shop', 'web-quarantine'),
    ).toBeDefined();
  });

  it('answers 422 for a group id that is not a security group', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const body = structuredClone(sgp);
    body.spec.securityGroups.groupIds = ['subnet-0123'];
    const { code, body: status } = await failure(
      custom.createNamespacedCustomObject({ ...SGP_API, namespace: 'shop', body }),
    );
    expect(code).toBe(422);
    expect(status.details).toMatchObject({
      group: 'vpcresources.k8s.aws',
      kind: 'SecurityGroupPolicy',
    });
    expect(status.details.causes[0].field).toBe('spec.securityGroups.groupIds[0]');
  });

  it('requires a resourceVersion to replace a custom resource', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({ ...SGP_API, namespace: 'shop', body: sgp });
    const { code, body } = await failure(
      custom.replaceNamespacedCustomObject({
        ...SGP_API,
        namespace: 'shop',
        name: 'web-quarantine',
        body: sgp,
      }),
    );
    expect(code).toBe(422);
    expect(body.details.causes[0].field).toBe('metadata.resourceVersion');
  });
});

describe('Kube simulator: eviction', () => {
  it('evicts a pod: 201 Success and the pod is gone', async () => {
    await core.createNamespacedPodEviction({
      namespace: 'shop',
      name: 'web-7d4b9c-x2x9q',
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'web-7d4b9c-x2x9q', namespace: 'shop' },
      },
    });
    expect(sim.requests.at(-1)).toEqual({
      method: 'POST',
      path: '/api/v1/namespaces/shop/pods/web-7d4b9c-x2x9q/eviction',
      status: 201,
    });
    expect(sim.get('v1', 'Pod', 'shop', 'web-7d4b9c-x2x9q')).toBeUndefined();
    const { code } = await failure(
      core.readNamespacedPod({ namespace: 'shop', name: 'web-7d4b9c-x2x9q' }),
    );
    expect(code).toBe(404);
  });

  it('answers 404 when the pod does not exist', async () => {
    const { code, body } = await failure(
      core.createNamespacedPodEviction({
        namespace: 'shop',
        name: 'missing',
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: 'missing', namespace: 'shop' },
        },
      }),
    );
    expect(code).toBe(404);
    expect(body.details).toEqual({ name: 'missing', kind: 'pods' });
  });

  it('deletes a pod and answers with the pod, like the real server', async () => {
    const deleted = await core.deleteNamespacedPod({
      namespace: 'monitoring',
      name: 'node-exporter-8kq2p',
    });
    expect(deleted.metadata?.uid).toBeTruthy();
    expect(sim.list('v1', 'Pod').map((p) => p.metadata.name)).toEqual(['web-7d4b9c-x2x9q']);
  });
});

describe('Kube simulator: disruption budgets', () => {
  function budget(disruptionsAllowed: number): KubeObject {
    return {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      status: {
        observedGeneration: 1,
        disruptionsAllowed,
        currentHealthy: 1,
        desiredHealthy: 1,
        expectedPods: 1,
      },
    };
  }

  function evictWeb(api: CoreV1Api) {
    return api.createNamespacedPodEviction({
      namespace: 'shop',
      name: 'web-7d4b9c-x2x9q',
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'web-7d4b9c-x2x9q', namespace: 'shop' },
      },
    });
  }

  it('answers 429 TooManyRequests when the budget allows no disruption, and keeps the pod', async () => {
    const guarded = await startKubeSimulator({ objects: [...structuredClone(SEED), budget(0)] });
    try {
      const { code, body } = await failure(evictWeb(guarded.kubeConfig().makeApiClient(CoreV1Api)));
      expect(code).toBe(429);
      expect(body).toMatchObject({
        reason: 'TooManyRequests',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        details: { causes: [{ reason: 'DisruptionBudget' }] },
      });
      expect(guarded.get('v1', 'Pod', 'shop', 'web-7d4b9c-x2x9q')).toBeDefined();
    } finally {
      await guarded.stop();
    }
  });

  it('evicts when the budget allows it and uses the disruption up', async () => {
    const guarded = await startKubeSimulator({ objects: [...structuredClone(SEED), budget(1)] });
    try {
      await evictWeb(guarded.kubeConfig().makeApiClient(CoreV1Api));
      expect(guarded.get('v1', 'Pod', 'shop', 'web-7d4b9c-x2x9q')).toBeUndefined();
      const after = guarded.get('policy/v1', 'PodDisruptionBudget', 'shop', 'web');
      expect(after?.status).toMatchObject({
        disruptionsAllowed: 0,
        disruptedPods: { 'web-7d4b9c-x2x9q': expect.any(String) },
      });
    } finally {
      await guarded.stop();
    }
  });
});

describe('Kube simulator: other server behaviour', () => {
  it('does not persist a dryRun=All create', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    const dry = await networking.createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: DENY_ALL,
      dryRun: 'All',
    });
    expect(dry.metadata?.name).toBe('tourniquet-isolate-web');
    expect(
      sim.get('networking.k8s.io/v1', 'NetworkPolicy', 'shop', 'tourniquet-isolate-web'),
    ).toBeUndefined();
  });

  it('deletes what a namespace holds with the namespace', async () => {
    await core.deleteNamespace({ name: 'shop' });
    expect(sim.get('v1', 'Namespace', null, 'shop')).toBeUndefined();
    expect(sim.list('v1', 'Pod').map((p) => p.metadata.namespace)).toEqual(['monitoring']);
    expect(sim.list('v1', 'ServiceAccount').some((a) => a.metadata.namespace === 'shop')).toBe(
      false,
    );
  });

  it('names generated objects from generateName', async () => {
    const created = await core.createNamespacedServiceAccount({
      namespace: 'shop',
      body: { metadata: { generateName: 'forensics-' } },
    });
    expect(created.metadata?.name).toMatch(/^forensics-[a-z0-9]{5}$/);
  });
});

describe('Kube simulator: discovery', () => {
  it('serves /version and /api through client-node', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    const response = await raw('/api');
    expect(await readJson(response)).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  });

  it('lists core resources with verbs, scope and the eviction subresource', async () => {
    const list = await readJson(await raw('/api/v1'));
    expect(list.kind).toBe('APIResourceList');
    const byName = new Map(list.resources.map((r: any) => [r.name, r]));
    expect(byName.get('pods')).toMatchObject({
      namespaced: true,
      kind: 'Pod',
      verbs: expect.arrayContaining(['patch']),
    });
    expect(byName.get('nodes')).toMatchObject({ namespaced: false, kind: 'Node' });
    expect(byName.get('pods/eviction')).toMatchObject({
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
  });

  it('lists the API groups and their resources', async () => {
    const groups = await readJson(await raw('/apis'));
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: any) => g.name)).toEqual(
      expect.arrayContaining(['networking.k8s.io', 'vpcresources.k8s.aws', 'policy']),
    );
    const policy = await readJson(await raw('/apis/policy/v1'));
    expect(policy.resources.map((r: any) => r.name)).toEqual([
      'poddisruptionbudgets',
      'poddisruptionbudgets/status',
    ]);
    const networking = await readJson(await raw('/apis/networking.k8s.io/v1'));
    expect(networking.resources.map((r: any) => r.name)).toEqual(['networkpolicies']);
    const vpc = await readJson(await raw('/apis/vpcresources.k8s.aws/v1beta1'));
    expect(vpc.resources[0]).toMatchObject({
      name: 'securitygrouppolicies',
      namespaced: true,
      kind: 'SecurityGroupPolicy',
    });
  });
});

describe('Kube simulator: lifecycle', () => {
  it('records each round trip and stops listening on stop()', async () => {
    const before = sim.requests.length;
    await core.readNode({ name: NODE_NAME });
    await core.listPodForAllNamespaces({ labelSelector: 'app=web' });
    expect(sim.requests.slice(before)).toEqual([
      { method: 'GET', path: `/api/v1/nodes/${NODE_NAME}`, status: 200 },
      { method: 'GET', path: '/api/v1/pods?labelSelector=app%3Dweb', status: 200 },
    ]);
    await sim.stop();
    await expect(fetch(`${sim.url}/version`)).rejects.toThrow();
  });
});
