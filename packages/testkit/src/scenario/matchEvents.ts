import type { EventFact } from './eventFacts';
import type { Scenario, ScenarioCluster } from './scenario';

export interface EventMatch {
  /** The scenario with the ids it omits taken from the events (pod uids, ENI ids). */
  scenario: Scenario;
  /** One line per cluster, pod or node an event names and the scenario lacks (each once). */
  gaps: string[];
}

/**
 * Fits a scenario to the events replayed against it: a pod without `uid` takes the uid the events
 * give that pod (so a finding's uid check sees the pod it names, not a replaced one), a node or
 * SGP pod without `eniId` takes the ENI id the events give; and says what the events name that
 * the scenario lacks, which replay can then only report as not found.
 */
export function matchEvents(scenario: Scenario, facts: readonly EventFact[]): EventMatch {
  const fitted = structuredClone(scenario);
  // Keyed by the item, so an item many events name is reported once (with the first event).
  const gaps = new Map<string, string>();
  const gap = (item: string, source: string) => {
    if (!gaps.has(item)) gaps.set(item, `${item} is not in the scenario (named by ${source})`);
  };
  const clustersOf = (account: string): ScenarioCluster[] | null =>
    account === fitted.account
      ? fitted.clusters
      : (fitted.accounts.find((m) => m.account === account)?.clusters ?? null);
  for (const fact of facts) {
    const { finding } = fact;
    const clusters = clustersOf(finding.account);
    const cluster = finding.cluster ? clusters?.find((c) => c.name === finding.cluster) : undefined;
    if (finding.cluster && !cluster) {
      gap(`cluster ${finding.cluster} (account ${finding.account})`, fact.source);
      continue;
    }
    const everyNode = cluster ? cluster.nodes : (clusters ?? []).flatMap((c) => c.nodes);
    // An instance outside EKS (no cluster, no eks:cluster-name tag) is none of replay's business.
    const inEks = Boolean(cluster || fact.node?.tags['eks:cluster-name']);
    if (fact.node && inEks) {
      const node = everyNode.find((n) => n.instanceId === fact.node?.instanceId);
      if (!node) {
        gap(
          `node ${fact.node.instanceId}${cluster ? ` of cluster ${cluster.name}` : ''}`,
          fact.source,
        );
      } else if (!node.eniId && fact.node.eniId) {
        node.eniId = fact.node.eniId;
      }
    }
    if (fact.pod && cluster) {
      const pod = cluster.pods.find(
        (p) => p.namespace === fact.pod?.namespace && p.name === fact.pod?.name,
      );
      if (!pod) {
        gap(`pod ${fact.pod.namespace}/${fact.pod.name} of cluster ${cluster.name}`, fact.source);
      } else if (!pod.uid && fact.pod.uid) {
        pod.uid = fact.pod.uid;
      }
    }
  }
  return { scenario: fitted, gaps: [...gaps.values()] };
}
