import { stageRules, type TourniquetConfig } from '@tourniquet/core';
import { configRuleCheck, deadLetterCheck, eventRuleCheck, guardDutyChecks } from './accountChecks';
import {
  accessEntryCheck,
  authenticationModeCheck,
  clusterFacts,
  endpointCheck,
  enforcementChecks,
  quarantineGroupChecks,
  rbacCheck,
} from './clusterChecks';
import { type DoctorAccess, type DoctorCheck, isNotEmulated } from './doctorCheck';

/** The read-only call each check makes first: named when moto does not implement it. */
const CALLS: Readonly<Record<string, string>> = {
  'access entries': 'EKS ListAccessEntries',
  'GuardDuty EKS protection': 'GuardDuty GetDetector',
  'AWS Config rules': 'Config DescribeConfigRules',
  'EventBridge rules': 'EventBridge ListRules',
  'dead-letter queue': 'SQS GetQueueAttributes',
};

/**
 * Every check, per account and region (GuardDuty, Config rules, the stage's EventBridge rules and
 * dead-letter queue) and per cluster (authentication mode, access entries, RBAC, NetworkPolicy
 * enforcer and SGP mode, quarantine groups, endpoint reach). Every call reads; nothing changes.
 * A check that cannot run is a fail naming why — locally, a call moto lacks is a warn saying so.
 */
export async function runDoctor(
  config: TourniquetConfig,
  access: DoctorAccess,
  regions: readonly string[] = [],
): Promise<DoctorCheck[]> {
  const inScope = (region: string) => regions.length === 0 || regions.includes(region);
  const results: DoctorCheck[] = [];
  const attempt = async (
    scope: string,
    check: string,
    run: () => Promise<DoctorCheck | DoctorCheck[] | null>,
  ) => {
    try {
      const result = await run();
      if (result) results.push(...(Array.isArray(result) ? result : [result]));
    } catch (error) {
      if (isMissingCredentials(error)) throw error;
      if (access.local && isNotEmulated(error)) {
        results.push({
          scope,
          check,
          status: 'warn',
          detail: `not checked locally: moto does not implement ${CALLS[check] ?? 'this call'} (docs/aws-behaviours.md)`,
          fix: 'run tourniquet doctor --stage <stage> against AWS',
        });
        return;
      }
      results.push({
        scope,
        check,
        status: 'fail',
        detail: `could not check: ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`,
        fix: 'grant the read-only permission the error names, or check connectivity to the API',
      });
    }
  };

  const accounts = new Map<string, Set<string>>([[access.account, new Set([access.homeRegion])]]);
  for (const cluster of config.clusters) {
    const set = accounts.get(cluster.account) ?? new Set<string>();
    set.add(cluster.region);
    accounts.set(cluster.account, set);
  }
  const hubClusterRegions = config.clusters
    .filter((c) => c.account === access.account)
    .map((c) => c.region);
  for (const [account, accountRegions] of accounts) {
    if (!access.readable(account)) {
      // Credentials for none of the accounts would otherwise pass a stage nobody checked.
      const anyReadable = [...accounts.keys()].some((a) => access.readable(a));
      results.push({
        scope: account,
        check: 'account',
        status: anyReadable ? 'warn' : 'fail',
        detail: `not checked: these credentials are for account ${access.account}`,
        fix: `run tourniquet doctor again with credentials for ${account} (e.g. AWS_PROFILE=<a profile in ${account}>)`,
      });
      continue;
    }
    const hub = account === access.account;
    const eventRegions = hub
      ? new Set([
          ...accountRegions,
          ...stageRules(access.stage, access.homeRegion, hubClusterRegions).map((r) => r.region),
        ])
      : accountRegions;
    for (const region of [...eventRegions].filter(inScope)) {
      const scope = `${account} ${region}`;
      if (accountRegions.has(region)) {
        await attempt(scope, 'GuardDuty EKS protection', () =>
          guardDutyChecks(access, account, region),
        );
        await attempt(scope, 'AWS Config rules', () => configRuleCheck(access, account, region));
      }
      if (hub) {
        await attempt(scope, 'EventBridge rules', () =>
          eventRuleCheck(access, region, hubClusterRegions),
        );
      }
    }
    if (hub && inScope(access.homeRegion)) {
      await attempt(`${account} ${access.homeRegion}`, 'dead-letter queue', () =>
        deadLetterCheck(access),
      );
    }
  }

  for (const cluster of config.clusters.filter((c) => inScope(c.region))) {
    if (!access.readable(cluster.account)) continue;
    const scope = cluster.name;
    let facts: Awaited<ReturnType<typeof clusterFacts>> | null = null;
    await attempt(scope, 'EKS cluster', async () => {
      facts = await clusterFacts(access, cluster);
      return null;
    });
    const read = facts as Awaited<ReturnType<typeof clusterFacts>> | null;
    if (read) {
      results.push(authenticationModeCheck(read));
      await attempt(scope, 'access entries', () => accessEntryCheck(access, config, read));
      results.push(endpointCheck(read));
    }
    await attempt(scope, 'Kubernetes API', async () => {
      const kube = await access.kube(cluster);
      const found: DoctorCheck[] = [];
      found.push(await rbacCheck(kube, cluster));
      found.push(...enforcementChecks(cluster, await kube.listDaemonSets('kube-system')));
      return found;
    });
    await attempt(scope, 'quarantine security group', () => quarantineGroupChecks(access, cluster));
  }
  return results;
}

function isMissingCredentials(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'CredentialsProviderError') return true;
  }
  return false;
}
