import { describe, expect, it } from 'vitest';
import { kubeObjectsFor } from '../src/scenario/kubeObjects';
import { parseScenario } from '../src/scenario/scenario';

const document = (pod: Record<string, unknown>) => ({
  account: '111122223333',
  clusters: [
    {
      name: 'prod-eks-01',
      region: 'us-east-1',
      oidcIssuer: 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE',
      vpc: { id: 'vpc-0a0000000000000a1', cidr: '10.0.0.0/16' },
      subnets: [{ id: 'subnet-0a0000000000000a1', cidr: '10.0.0.0/20', az: 'us-east-1a' }],
      nodes: [
        {
          name: 'ip-10-0-0-1.ec2.internal',
          instanceId: 'i-0a0000000000000a1',
          ip: '10.0.0.1',
          subnet: 'subnet-0a0000000000000a1',
        },
      ],
      pods: [
        {
          namespace: 'payments',
          name: 'api-0',
          node: 'ip-10-0-0-1.ec2.internal',
          ip: '10.0.0.2',
          ...pod,
        },
      ],
    },
  ],
});

describe('scenario files', () => {
  it('a misspelt key is an error naming the scenario, the key and the closest known one', () => {
    expect(() => parseScenario(document({ serviceAcount: 'api' }), 'mine.yaml')).toThrow(
      "invalid scenario: clusters.0.pods.0.serviceAcount: unknown key 'serviceAcount' (did you mean serviceAccount?) (in mine.yaml)",
    );
  });

  it('a pod without uid gets the same uid on every load, different from other pods', () => {
    const uidOf = (name: string) => {
      const scenario = parseScenario(document({ name }));
      const cluster = scenario.clusters[0];
      if (!cluster) throw new Error('no cluster');
      const pod = kubeObjectsFor(scenario, cluster, (id) => id).find((o) => o.kind === 'Pod');
      return pod?.metadata.uid;
    };
    expect(uidOf('api-0')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(uidOf('api-0')).toBe(uidOf('api-0'));
    expect(uidOf('api-1')).not.toBe(uidOf('api-0'));
  });
});
