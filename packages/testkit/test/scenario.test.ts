import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEvent, REPO_ROOT } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO } from '../src/localWorld';
import { eventFacts } from '../src/scenario/eventFacts';
import { idTranslation } from '../src/scenario/idTranslation';
import { kubeObjectsFor } from '../src/scenario/kubeObjects';
import { matchEvents } from '../src/scenario/matchEvents';
import { loadScenario, parseScenario, parseScenarioText } from '../src/scenario/scenario';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from '../src/scenario/scenarioJsonSchema';

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

describe('scenario files: where a mistake is', () => {
  const yaml = (pod: string) => `account: "111122223333"
clusters:
  - name: prod-eks-01
    region: us-east-1
    oidcIssuer: oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE
    vpc: { id: vpc-0a0000000000000a1, cidr: 10.0.0.0/16 }
    subnets: [{ id: subnet-0a0000000000000a1, cidr: 10.0.0.0/20, az: us-east-1a }]
    nodes:
      - { name: n1, instanceId: i-0a0000000000000a1, ip: 10.0.0.1, subnet: subnet-0a0000000000000a1 }
    pods:
      - namespace: payments
        name: api-0
        node: n1
        ip: 10.0.0.2
${pod}
`;

  it('an unknown key in YAML is named with file:line:column of the key and the closest known key', () => {
    expect(() => parseScenarioText(yaml('        serviceAcount: api'), 'mine.yaml')).toThrow(
      "invalid scenario: clusters.0.pods.0.serviceAcount: unknown key 'serviceAcount' (did you mean serviceAccount?) (in mine.yaml:15:9)",
    );
  });

  it('a wrong value and a dangling reference are located too, and say scenario, not configuration', () => {
    let message = '';
    try {
      parseScenarioText(yaml('        securityGroups: [sg-0a00000000000ffff]'), 'mine.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      "invalid scenario: clusters.0.pods.0.securityGroups.0: sg-0a00000000000ffff is not one of the cluster's securityGroups (in mine.yaml:15:26)",
    );
    expect(() => parseScenarioText(yaml('        uid: 7'), 'x.yaml')).toThrow(
      /^invalid scenario: clusters\.0\.pods\.0\.uid: .*\(in x\.yaml:15:9\)$/,
    );
    expect(() => parseScenarioText('account: [', 'bad.yaml')).toThrow(
      /^invalid scenario: bad\.yaml:1:\d+ is not YAML or JSON/,
    );
  });

  it('a pod on a node the cluster lacks is an error suggesting the node it has', () => {
    expect(() => parseScenarioText(yaml('').replace('node: n1', 'node: n2'), 'x.yaml')).toThrow(
      'clusters.0.pods.0.node: no node named n2 (did you mean n1?) (in x.yaml:13:9)',
    );
  });
});

describe('scenario JSON Schema', () => {
  it('the shipped schema file is what the zod schema generates (npm run docs:scenario-schema)', () => {
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, SCENARIO_SCHEMA_FILE), 'utf8'));
    expect(shipped).toEqual(scenarioJsonSchema());
  });

  it('forbids unknown keys and knows every documented key, as the loader does', () => {
    const schema = scenarioJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, unknown>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'account',
        'organizationId',
        'clusters',
        'roles',
        'configRules',
        'accounts',
      ]),
    );
    const docs = readFileSync(join(REPO_ROOT, 'docs/scenarios.md'), 'utf8');
    for (const key of allKeys(schema)) expect(docs, key).toContain(`\`${key}\``);
  });

  it.each(['default.yaml', 'enforcers.yaml'])('%s points editors at the schema', (name) => {
    const text = readFileSync(join(REPO_ROOT, 'packages/testkit/scenarios', name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
  });
});

function allKeys(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) allKeys(item, into);
  else if (schema && typeof schema === 'object') {
    const record = schema as Record<string, unknown>;
    if (record.properties && typeof record.properties === 'object')
      for (const key of Object.keys(record.properties)) into.add(key);
    for (const value of Object.values(record)) allKeys(value, into);
  }
  return into;
}

describe('scenario ids from the events', () => {
  const POD_EVENT = 'guardduty/runtime-reverse-shell-payments.json';

  it('a pod without uid takes the uid the event gives it; a node without eniId takes the event ENI', async () => {
    const scenario = await loadScenario(DEFAULT_SCENARIO);
    const prod = scenario.clusters[0];
    if (!prod) throw new Error('no cluster');
    for (const pod of prod.pods) delete pod.uid;
    const facts = eventFacts([{ source: POD_EVENT, event: loadEvent(POD_EVENT) }]);
    const { scenario: fitted, gaps } = matchEvents(scenario, facts);
    const pods = fitted.clusters[0]?.pods ?? [];
    expect(pods.find((p) => p.name === 'payments-api-7d9f8b6c5-x2kqp')?.uid).toBe(
      '5f0c2a8e-3b7d-4c1a-9e2f-6d8b1a0c4e7f',
    );
    // Pods no event names keep none (kubeObjects gives them a stable one).
    expect(pods.find((p) => p.name === 'feature-store-0')?.uid).toBeUndefined();
    expect(
      fitted.clusters[0]?.nodes.find((n) => n.instanceId === 'i-0a1b2c3d4e5f60718')?.eniId,
    ).toBe('eni-0123456789abcdef0');
    expect(gaps).toEqual([]);
    // The scenario it was given is unchanged.
    expect(prod.pods.every((p) => p.uid === undefined)).toBe(true);
  });

  it('names each cluster, pod and node the events name and the scenario lacks, once', async () => {
    const scenario = await loadScenario(DEFAULT_SCENARIO);
    const prod = scenario.clusters[0];
    if (!prod) throw new Error('no cluster');
    prod.pods = prod.pods.filter((p) => !p.name.startsWith('checkout-web'));
    prod.nodes = prod.nodes.filter((n) => n.instanceId !== 'i-0c3d4e5f607182930');
    prod.pods = prod.pods.filter((p) => p.node !== 'ip-10-0-33-78.ec2.internal');
    const files = [
      'guardduty/runtime-cc-activity-checkout.json',
      'guardduty/runtime-new-binary-checkout.json',
      'guardduty/runtime-new-binary-legacy-cluster.json',
      'guardduty/node-runtime-cc-activity-ng-general.json',
      // An instance outside EKS is not something the scenario should have.
      'negative/guardduty-ec2-ssh-brute-force-bastion.json',
    ];
    const facts = eventFacts(files.map((f) => ({ source: f, event: loadEvent(f) })));
    expect(matchEvents(scenario, facts).gaps).toEqual([
      'node i-0c3d4e5f607182930 of cluster prod-eks-01 is not in the scenario (named by guardduty/runtime-cc-activity-checkout.json)',
      'pod checkout/checkout-web-5b8c9d7f4-m7tqz of cluster prod-eks-01 is not in the scenario (named by guardduty/runtime-cc-activity-checkout.json)',
      'cluster legacy-eks-00 (account 111122223333) is not in the scenario (named by guardduty/runtime-new-binary-legacy-cluster.json)',
    ]);
  });
});

describe('scenario ids in output', () => {
  it("moto's ids read back as the scenario's, and the scenario's go to moto", () => {
    const ids = idTranslation(
      new Map([
        ['i-0a1b2c3d4e5f60718', 'i-9f8e7d6c5b4a39281'],
        ['sg-0badc0ffee0000001', 'sg-1234567890abcdef0'],
      ]),
    );
    const shown = ids.untranslate({
      detail: 'moved eni-1 from sg-77 to sg-1234567890abcdef0',
      node: { instanceId: 'i-9f8e7d6c5b4a39281' },
    });
    expect(shown).toEqual({
      detail: 'moved eni-1 from sg-77 to sg-0badc0ffee0000001',
      node: { instanceId: 'i-0a1b2c3d4e5f60718' },
    });
    expect(ids.translate(shown)).toEqual({
      detail: 'moved eni-1 from sg-77 to sg-1234567890abcdef0',
      node: { instanceId: 'i-9f8e7d6c5b4a39281' },
    });
  });
});
