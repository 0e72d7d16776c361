import { AppsV1Api, CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import { type KubeSimulator, startKubeSimulator } from '@tourniquet/kube-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeObjectsFor } from '../src/scenario/kubeObjects';
import { parseScenario } from '../src/scenario/scenario';

const scenario = (cluster: Record<string, unknown> = {}) =>
  parseScenario({
    account: '111122223333',
    clusters: [
      {
        name: 'c1',
        region: 'us-east-1',
        oidcIssuer: 'oidc.eks.us-east-1.amazonaws.com/id/C1',
        vpc: { id: 'vpc-0aa0000000000a001', cidr: '10.0.0.0/16' },
        subnets: [{ id: 'subnet-0aa0000000000a001', cidr: '10.0.12.0/22', az: 'us-east-1a' }],
        nodes: [
          {
            name: 'n1',
            instanceId: 'i-0aa0000000000a001',
            ip: '10.0.12.10',
            subnet: 'subnet-0aa0000000000a001',
          },
        ],
        pods: [{ namespace: 'shop', name: 'web-1', node: 'n1', ip: '10.0.12.77' }],
        ...cluster,
      },
    ],
  });
const objectsFor = (cluster: Record<string, unknown> = {}) => {
  const s = scenario(cluster);
  return kubeObjectsFor(s, s.clusters[0] as never, (id) => id);
};
const POLICY = {
  metadata: { name: 'deny-all', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] },
};

let sim: KubeSimulator | undefined;
afterEach(async () => sim?.stop());

describe('scenario: CNI and network policy engine', () => {
  it('seeds aws-node with the network policy agent flag and the SGP mode', () => {
    const awsNode = objectsFor({ sgpMode: 'standard' }).find(
      (o) => o.kind === 'DaemonSet' && o.metadata.name === 'aws-node',
    ) as any;
    const containers = awsNode.spec.template.spec.containers;
    expect(containers.find((c: any) => c.name === 'aws-network-policy-agent').args).toContain(
      '--enable-network-policy=true',
    );
    expect(containers.find((c: any) => c.name === 'aws-node').env).toContainEqual({
      name: 'POD_SECURITY_GROUP_ENFORCING_MODE',
      value: 'standard',
    });
  });

  it('seeds calico-node for calico, and turns the VPC CNI agent off', () => {
    const objects = objectsFor({ networkPolicyEnforcer: 'calico' });
    const names = objects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name);
    expect(names).toEqual(['aws-node', 'calico-node']);
    const agent = (objects[0] as any).spec.template.spec.containers[1];
    expect(agent.args).toContain('--enable-network-policy=false');
  });

  it('rejects an unknown enforcer, naming the key', () => {
    expect(() => objectsFor({ networkPolicyEnforcer: 'weave' })).toThrow(
      /clusters\.0\.networkPolicyEnforcer/,
    );
  });
});

describe('Kube simulator: DaemonSets and PolicyEndpoints', () => {
  it('serves both through client-node, with discovery', async () => {
    sim = await startKubeSimulator({ objects: objectsFor() });
    const kc = sim.kubeConfig();
    const { items } = await kc
      .makeApiClient(AppsV1Api)
      .listNamespacedDaemonSet({ namespace: 'kube-system' });
    expect(items.map((d) => d.metadata?.name)).toEqual(['aws-node']);
    const discovery = await fetch(`${sim.url}/apis/networking.k8s.aws/v1alpha1`, {
      headers: { Authorization: `Bearer ${sim.token}` },
    }).then((r) => r.json() as Promise<{ resources: unknown[] }>);
    expect(discovery.resources[0]).toMatchObject({
      name: 'policyendpoints',
      kind: 'PolicyEndpoint',
      namespaced: true,
    });
    await kc.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({
      namespace: 'shop',
      body: POLICY,
    });
    const custom = kc.makeApiClient(CustomObjectsApi);
    const list = (await custom.listNamespacedCustomObject({
      group: 'networking.k8s.aws',
      version: 'v1alpha1',
      namespace: 'shop',
      plural: 'policyendpoints',
    })) as { items: any[] };
    expect(list.items).toHaveLength(1);
    const name = list.items[0].metadata.name;
    const one = (await custom.getNamespacedCustomObject({
      group: 'networking.k8s.aws',
      version: 'v1alpha1',
      namespace: 'shop',
      plural: 'policyendpoints',
      name,
    })) as any;
    expect(one.spec.policyRef).toEqual({ namespace: 'shop', name: 'deny-all' });
  });

  it('writes no PolicyEndpoint when the VPC CNI does not enforce policies', async () => {
    sim = await startKubeSimulator({ objects: objectsFor({ networkPolicyEnforcer: 'none' }) });
    await sim
      .kubeConfig()
      .makeApiClient(NetworkingV1Api)
      .createNamespacedNetworkPolicy({ namespace: 'shop', body: POLICY });
    expect(sim.list('networking.k8s.aws/v1alpha1', 'PolicyEndpoint')).toEqual([]);
  });
});
