import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { awsClientConfig, ClusterConnectionCache, EKS_TOKEN_PREFIX } from '@tourniquet/aws';
import { ConfigError, parseConfig } from '@tourniquet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eksKube } from '../functions/lib/kubeRuntime';
import { type KubeFront, makeTestPki, startKubeFront, type TestPki } from './helpers/kubeFront';
import { useMoto } from './helpers/moto';

const CLUSTER = {
  name: 'prod-eks-01',
  account: '111122223333',
  region: 'us-east-1',
};
const ENDPOINT = 'https://ABCDEF0123456789ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com';

let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
});

/** The problems parseConfig reports for one cluster entry, as `path: message`. */
function problems(cluster: object): string[] {
  try {
    parseConfig({ clusters: [{ ...CLUSTER, ...cluster }] });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('Config: a cluster API server endpoint and CA', () => {
  it('takes both, as DescribeCluster returns them', () => {
    const config = parseConfig({
      clusters: [{ ...CLUSTER, endpoint: ENDPOINT, certificateAuthority: pki.caData }],
    });
    expect(config.clusters[0]).toMatchObject({
      endpoint: ENDPOINT,
      certificateAuthority: pki.caData,
    });
    expect(parseConfig({ clusters: [CLUSTER] }).clusters[0]?.endpoint).toBeUndefined();
  });

  it.each([
    [
      'http://x.eks.amazonaws.com',
      /clusters\.0\.endpoint: expected the API server URL .*https, no path/,
    ],
    [`${ENDPOINT}/api`, /clusters\.0\.endpoint: .*no path/],
    ['x.eks.amazonaws.com', /clusters\.0\.endpoint: expected the API server URL/],
  ])('rejects the endpoint %s', (endpoint, message) => {
    expect(problems({ endpoint, certificateAuthority: pki.caData }).join('\n')).toMatch(message);
  });

  it('rejects a CA that is not base64 of a PEM CA certificate, saying what it is instead', () => {
    const pem = Buffer.from(pki.caData, 'base64').toString('utf8');
    const ca = (certificateAuthority: string) =>
      problems({ endpoint: ENDPOINT, certificateAuthority }).join('\n');
    expect(ca(pem)).toMatch(
      /clusters\.0\.certificateAuthority: .*not the PEM itself: base64-encode it/,
    );
    expect(ca('not base64!')).toMatch(/expected base64/);
    expect(ca(Buffer.from('hello').toString('base64'))).toMatch(/BEGIN CERTIFICATE/);
    expect(ca(Buffer.from(pki.cert).toString('base64'))).toMatch(/not a CA/);
    const broken = pem.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    expect(ca(Buffer.from(broken).toString('base64'))).toMatch(/does not parse/);
  });

  it('wants both or neither', () => {
    expect(problems({ endpoint: ENDPOINT })).toEqual([
      "clusters.0.certificateAuthority: cluster prod-eks-01 sets endpoint but not certificateAuthority: give both (DescribeCluster's cluster.endpoint and cluster.certificateAuthority.data), or neither to have them looked up",
    ]);
    expect(problems({ certificateAuthority: pki.caData })[0]).toMatch(
      /^clusters\.0\.endpoint: cluster prod-eks-01 sets certificateAuthority but not endpoint/,
    );
  });
});

describe('Cluster connections', () => {
  const moto = useMoto();
  let eks: EKSClient;
  let describes = 0;

  beforeAll(async () => {
    const { endpoint, region, credentials } = moto();
    eks = new EKSClient({ ...awsClientConfig({ region, endpoint }), credentials });
    eks.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'DescribeClusterCommand') describes++;
        return next(args);
      },
      { step: 'initialize' },
    );
    await eks.send(
      new CreateClusterCommand({
        name: 'described',
        roleArn: 'arn:aws:iam::123456789012:role/eks-cluster-role',
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
  });

  afterAll(() => eks.destroy());

  it('describes a cluster once per container and reuses the answer', async () => {
    const cache = new ClusterConnectionCache(eks);
    const first = await cache.get('described');
    expect(first.endpoint).toMatch(/^https:\/\//);
    expect(first.certificateAuthority).toBeTruthy();
    expect(await cache.get('described')).toEqual(first);
    expect(describes).toBe(1);
  });

  it('takes a configured cluster from the config without building an EKS client', async () => {
    const cache = new ClusterConnectionCache(() => {
      throw new Error('no EKS client should be built for a configured cluster');
    }, [{ name: 'configured', endpoint: ENDPOINT, certificateAuthority: pki.caData }]);
    expect(await cache.get('configured')).toEqual({
      name: 'configured',
      endpoint: ENDPOINT,
      certificateAuthority: pki.caData,
    });
  });
});

describe("An action function's Kubernetes runtime", () => {
  let apiServer: KubeFront;
  let aws: KubeFront;
  const saved = { ...process.env };

  beforeAll(async () => {
    apiServer = await startKubeFront({
      tls: pki,
      answer: () => ({ status: 200, body: { kind: 'NodeList', apiVersion: 'v1', items: [] } }),
    });
    // Any AWS call (DescribeCluster) would land here.
    aws = await startKubeFront({ answer: () => ({ status: 500, body: {} }) });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
  });

  afterAll(async () => {
    for (const key of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await apiServer.stop();
    await aws.stop();
  });

  it('reaches a configured cluster with its CA and an EKS token, and no DescribeCluster', async () => {
    const config = parseConfig({
      clusters: [{ ...CLUSTER, endpoint: apiServer.url, certificateAuthority: pki.caData }],
    });
    const kube = await eksKube(config)(CLUSTER.name);
    expect(await kube.listNodes()).toEqual([]);
    expect(aws.requests).toEqual([]);
    const token = apiServer.requests[0]?.headers.authorization?.replace(/^Bearer /, '') ?? '';
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    const presigned = Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString();
    expect(presigned).toMatch(
      /^https:\/\/sts\.us-east-1\.amazonaws\.com\/\?Action=GetCallerIdentity/,
    );
    expect(new URL(presigned).searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
  });
});
