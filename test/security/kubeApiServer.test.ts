import { parseConfig } from '@tourniquet/core';
import { KubeAdapter } from '@tourniquet/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeFront, makeTestPki, startKubeFront, type TestPki } from '../helpers/kubeFront';

/**
 * The actions' Kubernetes client carries an EKS bearer token, which is good for 15 minutes
 * against the cluster with the function's identity: whoever receives it can act as Tourniquet.
 */
describe('Red team: the Kubernetes API server connection', () => {
  let cluster: TestPki;
  let impostor: KubeFront;

  beforeAll(async () => {
    cluster = makeTestPki();
    // An endpoint an attacker answers (DNS or routing hijack) with a certificate of its own CA.
    impostor = await startKubeFront({
      tls: makeTestPki(),
      answer: () => ({ status: 200, body: { kind: 'NodeList', items: [] } }),
    });
  });

  afterAll(() => impostor.stop());

  it('an endpoint whose certificate the cluster CA did not sign never receives the token', async () => {
    const kube = new KubeAdapter({
      server: impostor.url,
      caData: cluster.caData,
      token: 'k8s-aws-v1.secret',
    });
    await expect(kube.listNodes()).rejects.toMatchObject({ name: 'KubeRequestError' });
    expect(impostor.requests).toEqual([]);
  });

  it('a configured cluster endpoint over plain http is rejected when the config loads', () => {
    expect(() =>
      parseConfig({
        clusters: [
          {
            name: 'prod',
            account: '111122223333',
            region: 'us-east-1',
            endpoint: 'http://prod.example.internal',
            certificateAuthority: cluster.caData,
          },
        ],
      }),
    ).toThrow(/clusters\.0\.endpoint: expected the API server URL .*https/);
  });

  it('a plain-http server is refused before the token is sent, unless marked a local simulator', () => {
    expect(
      () => new KubeAdapter({ server: 'http://127.0.0.1:1', token: 'k8s-aws-v1.secret' }),
    ).toThrow(/plain http: use https/);
  });
});
