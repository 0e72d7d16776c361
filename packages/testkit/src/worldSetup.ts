import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, ensureIncidentTable } from '@tourniquet/aws';
import type { ClusterConfig, TourniquetConfig } from '@tourniquet/core';
import type { LocalWorldOptions } from './localWorld';
import { configuredWorld } from './scenario/configClusters';
import type { Scenario } from './scenario/scenario';
import { combineSeeded, memberAccountsOf, seedAccountRoles } from './scenario/seedAccounts';
import { accessIn, type SeededScenario, seedScenario } from './scenario/seedScenario';

/** Credentials moto accepts; nothing leaves 127.0.0.1. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'tourniquet-local',
  secretAccessKey: 'tourniquet-local',
};

/** The table the local step journal lives in (the incidents table's layout, as deployed). */
export const LOCAL_JOURNAL_TABLE = 'tourniquet-local-incidents';
export const LOCAL_JOURNAL_REGION = 'us-east-1';

/** Seeds the scenario into moto: the hub account, each member account, the roles between them. */
export async function seedWorld(
  scenario: Scenario,
  endpoint: string,
  say: (line: string) => void,
): Promise<SeededScenario> {
  const parts = [
    await seedScenario(scenario, {
      endpoint: endpoint,
      credentials: LOCAL_CREDENTIALS,
      progress: say,
    }),
  ];
  for (const member of scenario.accounts) {
    say(`seeding member account ${member.account}…`);
    parts.push(
      await seedScenario(
        {
          ...member,
          organizationId: scenario.organizationId,
          accounts: [],
          configRules: [],
          deployment: scenario.deployment,
        },
        {
          endpoint: endpoint,
          credentials: LOCAL_CREDENTIALS,
          progress: say,
          account: member.account,
        },
      ),
    );
  }
  if (scenario.accounts.length > 0) {
    say('seeding the hub function roles and the member roles that trust them…');
    await seedAccountRoles(scenario, {
      endpoint: endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
  }
  const seeded = parts.length === 1 ? (parts[0] as SeededScenario) : combineSeeded(parts);
  await ensureIncidentTable(
    new DynamoDBClient({
      ...awsClientConfig({ region: LOCAL_JOURNAL_REGION, endpoint: endpoint }),
      credentials: LOCAL_CREDENTIALS,
    }),
    LOCAL_JOURNAL_TABLE,
  );
  return seeded;
}

/**
 * The configuration the world acts on: the config's clusters (replay; ids translated to the
 * seeded ones, disagreements reported) or, by default, the scenario's.
 */
export function worldConfig(
  options: LocalWorldOptions,
  scenario: Scenario,
  seeded: SeededScenario,
  say: (line: string) => void,
): TourniquetConfig {
  const fromConfig = options.clustersFrom === 'config' && options.config.clusters.length > 0;
  if (options.clustersFrom === 'config' && !fromConfig)
    say("the config lists no clusters: acting on the scenario's");
  let config: TourniquetConfig;
  if (fromConfig) {
    const configured = configuredWorld(options.config, scenario, seeded);
    for (const line of configured.disagreements)
      options.warn?.(`scenario and config disagree: ${line}`);
    config = { ...options.config, clusters: configured.clusters };
  } else {
    config = {
      ...options.config,
      clusters: seeded.clusters.map((c) => withConfiguredAccess(c.config, options.config, seeded)),
      ...(scenario.accounts.length > 0 ? { accounts: memberAccountsOf(scenario) } : {}),
    };
  }
  return config;
}

/**
 * A seeded cluster's config entry, with the access the given config sets for that cluster (its
 * ids may be the scenario's: they are translated) instead of the scenario's.
 */
function withConfiguredAccess(
  seeded: ClusterConfig,
  config: TourniquetConfig,
  scenario: SeededScenario,
): ClusterConfig {
  const access = config.clusters.find((c) => c.name === seeded.name)?.access;
  return access ? { ...seeded, access: accessIn(access, scenario.physical) } : seeded;
}
