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
  const skipped: string[] = [];
  const document = scenarioFromEvents(facts, undefined, (line) => skipped.push(line));
  const text = scenarioYaml(document, './scenario.schema.json', 'from events');
  return { text, skipped, scenario: parseScenarioText(text, 'written.yaml') };
}

describe('scenario init: attacker-named workloads', () => {
  it('a pod name carrying YAML (newline, keys) is left out, adding no pod, role or account', () => {
    const name = 'x\nroles: [{ name: admin, trust: ec2 }]\naccounts: []\n# ';
    const event = withValue(loadEvent(POD_EVENT), `${WORKLOAD}.name`, name);
    const { scenario, skipped } = written([event]);
    expect(scenario.clusters.flatMap((c) => c.pods)).toEqual([]);
    expect(scenario.roles.map((r) => r.name)).not.toContain('admin');
    expect(scenario.accounts).toEqual([]);
    expect(skipped).toEqual([
      `e0.json: pod ${JSON.stringify(`payments/${name}`)} left out: not a Kubernetes namespace and pod name`,
    ]);
  });

  it('a service account name carrying YAML stays out; the account and the pod are the real ones', () => {
    const event = withValue(
      loadEvent(POD_EVENT),
      `${WORKLOAD}.serviceAccountName`,
      '\'] }\naccount: "999999999999"',
    );
    const { scenario } = written([event]);
    expect(scenario.account).toBe('111122223333');
    expect(scenario.clusters[0]?.pods).toEqual([
      expect.objectContaining({
        namespace: 'payments',
        name: 'payments-api-7d9f8b6c5-x2kqp',
        serviceAccount: 'default',
      }),
    ]);
  });
});
