import {
  eventFacts,
  parseScenarioText,
  scenarioFromEvents,
  scenarioYaml,
} from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { loadEvent, withValue } from '../helpers/events';

const POD_EVENT = 'guardduty/runtime-reverse-shell-payments.json';
const WORKLOAD = 'detail.resource.kubernetesDetails.kubernetesWorkloadDetails';

/** The scenario `tourniquet scenario init` writes for these events, read back as replay reads it. */
function written(events: unknown[]) {
  const facts = eventFacts(events.map((event, i) => ({ source: `e${i}.json`, event })));
  const text = scenarioYaml(scenarioFromEvents(facts), './scenario.schema.json', 'from events');
  return { text, scenario: parseScenarioText(text, 'written.yaml') };
}

describe('scenario init: attacker-named workloads', () => {
  it('a pod name carrying YAML (newline, keys) stays one string and adds no role or account', () => {
    const name = 'x\nroles: [{ name: admin, trust: ec2 }]\naccounts: []\n# ';
    const event = withValue(loadEvent(POD_EVENT), `${WORKLOAD}.name`, name);
    const { scenario } = written([event]);
    const pods = scenario.clusters.flatMap((c) => c.pods);
    expect(pods.map((p) => p.name)).toEqual([name]);
    expect(scenario.roles.map((r) => r.name)).not.toContain('admin');
  });

  it('a namespace and service account carrying a YAML document end and an anchor stay strings', () => {
    let event = withValue(loadEvent(POD_EVENT), `${WORKLOAD}.namespace`, '---\n&a *a');
    event = withValue(event, `${WORKLOAD}.serviceAccountName`, '\'] }\naccount: "999999999999"');
    const { scenario } = written([event]);
    expect(scenario.account).toBe('111122223333');
    expect(scenario.clusters[0]?.pods[0]).toMatchObject({
      namespace: '---\n&a *a',
      serviceAccount: '\'] }\naccount: "999999999999"',
    });
  });
});
