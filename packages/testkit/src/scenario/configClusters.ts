import type { ClusterConfig, MemberAccounts, TourniquetConfig } from '@tourniquet/core';
import type { Scenario, ScenarioCluster } from './scenario';
import { memberAccountsOf } from './seedAccounts';
import { accessIn, type SeededScenario } from './seedScenario';

export interface ConfiguredWorld {
  /** The config's clusters, their ids translated to moto's. */
  clusters: ClusterConfig[];
  accounts: MemberAccounts | undefined;
  /** Where the scenario and the config disagree, one line each (the config wins). */
  disagreements: string[];
}

/**
 * The clusters a replay acts on are the config's, as `tourniquet plan` and the deployed triage
 * see them: an event on a cluster the config lacks is ticket-only, whatever the scenario seeds.
 * The scenario only supplies what the config cannot know locally (moto's ids, and a cluster's
 * `access` when the config leaves it out); every difference between the two is reported.
 */
export function configuredWorld(
  config: TourniquetConfig,
  scenario: Scenario,
  seeded: SeededScenario,
): ConfiguredWorld {
  const disagreements: string[] = [];
  const everyCluster = [
    ...scenario.clusters.map((c) => ({ account: scenario.account, cluster: c })),
    ...scenario.accounts.flatMap((m) =>
      m.clusters.map((c) => ({ account: m.account, cluster: c })),
    ),
  ];
  const clusters = config.clusters.map((c) => {
    const match = everyCluster.find((s) => s.cluster.name === c.name);
    if (!match) {
      disagreements.push(
        `cluster ${c.name} is in the config but not in the scenario: its events are planned as the config says, but there is no emulated cluster to act on`,
      );
      return translated(c, seeded);
    }
    const { account, cluster } = match;
    if (account !== c.account)
      disagreements.push(
        `cluster ${c.name} is in account ${c.account} in the config but ${account} in the scenario`,
      );
    if (cluster.region !== c.region)
      disagreements.push(
        `cluster ${c.name} is in ${c.region} in the config but ${cluster.region} in the scenario`,
      );
    if (c.oidcIssuer && c.oidcIssuer !== cluster.oidcIssuer)
      disagreements.push(
        `cluster ${c.name} has OIDC issuer ${c.oidcIssuer} in the config but ${cluster.oidcIssuer} in the scenario`,
      );
    disagreements.push(...quarantineDisagreements(c, cluster));
    const seededAccess = seeded.clusters.find((s) => s.name === c.name)?.config.access;
    const entry = translated(c, seeded);
    return entry.access || !seededAccess ? entry : { ...entry, access: seededAccess };
  });
  for (const { account, cluster } of everyCluster) {
    if (!config.clusters.some((c) => c.name === cluster.name))
      disagreements.push(
        `cluster ${cluster.name} (account ${account}) is in the scenario but not in the config: its events are ticket-only, as the config makes them`,
      );
  }
  const members = memberAccountsOf(scenario);
  for (const [account, member] of Object.entries(config.accounts ?? {})) {
    const seededMember = members[account];
    if (!seededMember)
      disagreements.push(
        `member account ${account} is in the config but not in the scenario: no member roles to assume there`,
      );
    else if (seededMember.rolePrefix !== member.rolePrefix)
      disagreements.push(
        `member account ${account} has role prefix ${member.rolePrefix} in the config but ${seededMember.rolePrefix} in the scenario`,
      );
    else if ((seededMember.externalId ?? null) !== (member.externalId ?? null))
      disagreements.push(
        `member account ${account} has external id ${member.externalId ?? '(none)'} in the config but ${seededMember.externalId ?? '(none)'} in the scenario`,
      );
  }
  for (const account of Object.keys(members)) {
    if (!config.accounts || !Object.hasOwn(config.accounts, account))
      disagreements.push(
        `member account ${account} is in the scenario but not under the config's accounts`,
      );
  }
  return { clusters, accounts: config.accounts, disagreements };
}

function quarantineDisagreements(config: ClusterConfig, cluster: ScenarioCluster): string[] {
  const scenarioGroup = cluster.securityGroups.find((g) => g.quarantine)?.id;
  const configured = Object.entries(config.quarantineSecurityGroups);
  if (configured.length === 0)
    return scenarioGroup
      ? [
          `cluster ${config.name} has no quarantineSecurityGroups in the config, though the scenario has quarantine group ${scenarioGroup}`,
        ]
      : [];
  return configured.flatMap(([vpc, group]) => {
    if (vpc !== cluster.vpc.id)
      return [
        `cluster ${config.name}: the config's quarantine group is for ${vpc}, but the scenario's VPC is ${cluster.vpc.id}`,
      ];
    if (!cluster.securityGroups.some((g) => g.id === group))
      return [
        `cluster ${config.name}: the config's quarantine group ${group} is not in the scenario${scenarioGroup ? ` (its quarantine group is ${scenarioGroup})` : ''}`,
      ];
    return [];
  });
}

/** A config cluster with the scenario's ids (VPC, groups, subnets) replaced by moto's. */
function translated(cluster: ClusterConfig, seeded: SeededScenario): ClusterConfig {
  return {
    ...cluster,
    quarantineSecurityGroups: Object.fromEntries(
      Object.entries(cluster.quarantineSecurityGroups).map(([vpc, group]) => [
        seeded.physical(vpc),
        seeded.physical(group),
      ]),
    ),
    ...(cluster.access ? { access: accessIn(cluster.access, seeded.physical) } : {}),
  };
}
