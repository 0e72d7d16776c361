import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compactPolicy,
  type Policy,
  parseConfig,
  parsePolicyYaml,
  type TourniquetConfig,
} from '@tourniquet/core';
import { type ApprovalSettings, approvalSettingsFromConfig } from '@tourniquet/slack';
import {
  parseTicketSettings,
  type SinkWithCredentials,
  withStageSecrets,
} from '@tourniquet/tickets';
import { closestKey, parseDeploySettings, type ReservedConcurrency } from './deploySettings';

export {
  DEFAULT_RESERVED_CONCURRENCY,
  parseReservedConcurrency,
  type ReservedConcurrency,
} from './deploySettings';

/** Ticket sinks that need credentials, and the keys of the secret the stage creates for each. */
export const SINK_SECRETS: Record<SinkWithCredentials, Readonly<Record<string, string>>> = {
  jira: { JiraEmail: 'email', JiraApiToken: 'apiToken' },
  pagerduty: { PagerDutyRoutingKey: 'routingKey' },
  servicenow: { ServiceNowUsername: 'username', ServiceNowPassword: 'password' },
};
export type SecretSink = SinkWithCredentials;

/** What one stage (one account) deploys, read from `tourniquet.<stage>.json`. */
export interface StageSettings {
  /** The configuration as scoped to this stage's own account (its clusters only). */
  config: TourniquetConfig;
  /**
   * The configuration the functions run with: with member accounts, every account's clusters
   * (a hub acts in its members through their roles); otherwise the same as `config`.
   */
  runtimeConfig?: TourniquetConfig;
  /** `deploy.role`: `hub` (the default; one account is a hub without members) or `member`. */
  role?: 'hub' | 'member';
  /** The account this stage may deploy to (the only one in `allowedAccountIds`). */
  account: string;
  homeRegion: string;
  /** Regions whose security events are forwarded to the home region's bus. */
  forwardFrom: string[];
  approvalTimeoutSeconds: number;
  /** Where alarms go (email subscription), if anywhere. */
  alarmEmail: string | null;
  /** Reserved concurrency (`deploy.reservedConcurrency`); null leaves a function on the shared pool. */
  reservedConcurrency: ReservedConcurrency;
  /** The `approvals` section, validated (absent: decided with `tourniquet approve|deny` only). */
  approvals: ApprovalSettings;
  /**
   * The `tickets` section as written. A sink without `credentialsSecret` gets the secret the
   * stage creates from `sst secret set` values (see SINK_SECRETS).
   */
  tickets: { sinks: Array<Record<string, unknown> & { type: string }>; [key: string]: unknown };
  /** `deploy.retainData`: the tables (and the approvals table's key) outlive a removal. */
  retainData: boolean;
  /** `deploy.accessEntries`: EKS access entries for the action roles (false: aws-auth by hand). */
  accessEntries: boolean;
  /** `deploy.policyFile`, validated and compacted for triage; null: the built-in policy. */
  policy?: Policy | null;
}

/**
 * Lambda allows 4 KB of environment variables per function, shared with the configuration and
 * the state machine ARNs: the policy, without its documentation fields, gets at most this.
 */
export const MAX_POLICY_BYTES = 2048;

/** Reads, validates and compacts `deploy.policyFile`; errors name the file, line and column. */
export function stagePolicy(policyFile: string | null, root: string, stageFile: string) {
  if (!policyFile) return null;
  const path = join(root, policyFile);
  if (!existsSync(path))
    throw new Error(`${stageFile}: deploy.policyFile: ${policyFile} does not exist`);
  const policy = compactPolicy(parsePolicyYaml(readFileSync(path, 'utf8'), policyFile).policy);
  const bytes = Buffer.byteLength(JSON.stringify(policy));
  if (bytes > MAX_POLICY_BYTES)
    throw new Error(
      `${stageFile}: deploy.policyFile: ${policyFile} is ${bytes} bytes without its descriptions and notes; triage's environment holds at most ${MAX_POLICY_BYTES} (Lambda's 4 KB for all its variables): merge rules or list fewer patterns`,
    );
  return policy;
}

/** Whether `tourniquet.<stage>.json` exists (SST evaluates its app config for any stage). */
export function hasStageFile(stage: string, root = process.cwd()): boolean {
  return existsSync(join(root, `tourniquet.${stage}.json`));
}

/**
 * The stage's settings from `tourniquet.<stage>.json` in `root`. There is no fallback: a stage
 * without its file (a typo, say) stops here instead of deploying the sample configuration.
 * `file` names another file explicitly (the tests evaluate the program with the sample).
 */
export function stageSettings(
  stage: string,
  root = process.cwd(),
  file = `tourniquet.${stage}.json`,
): StageSettings {
  const path = join(root, file);
  if (!existsSync(path)) throw new Error(missingStageFile(stage, file, root));
  const document = withFile(file, () => {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('expected a JSON object');
    return parsed as Record<string, unknown>;
  });
  const role = withFile(file, () => deployRole((document.deploy as { role?: unknown })?.role));
  // A member stage's own keys (hub, organizationId) are validated by memberSettings.
  const deployBlock =
    role === 'member' && typeof document.deploy === 'object' && document.deploy !== null
      ? Object.fromEntries(
          Object.entries(document.deploy).filter(([k]) => k === 'account' || k === 'region'),
        )
      : document.deploy;
  const deploy = withFile(file, () => parseDeploySettings(deployBlock));
  const config = withFile(file, () => parseConfig(document));
  // A policy that does not validate stops the deploy here, before anything is created.
  const policy = stagePolicy(deploy.policyFile, root, file);
  const approvals = withFile(file, () => approvalSettingsFromConfig(document));
  const tickets = (document.tickets ?? { sinks: [] }) as StageSettings['tickets'];
  // Validate as deployed: a missing credentialsSecret is the one the stage will create.
  withFile(file, () =>
    parseTicketSettings(withStageSecrets(tickets, (type) => `tourniquet/${stage}/${type}`)),
  );
  // Member accounts' clusters are acted on through their roles, not deployed to.
  const accounts = [
    ...new Set(config.clusters.map((c) => c.account).filter((a) => !config.accounts?.[a])),
  ];
  const account = deploy.account ?? accounts[0];
  if (!account)
    throw new Error(
      `${file}: no clusters and no deploy.account: which account does stage ${stage} deploy to?`,
    );
  const homeRegion =
    deploy.region ?? config.clusters.find((c) => c.account === account)?.region ?? 'us-east-1';
  const regions = [
    ...new Set(config.clusters.filter((c) => c.account === account).map((c) => c.region)),
  ];
  return {
    config: { ...config, clusters: config.clusters.filter((c) => c.account === account) },
    ...(config.accounts && role === 'hub' ? { runtimeConfig: config } : {}),
    role,
    account,
    homeRegion,
    forwardFrom: regions.filter((r) => r !== homeRegion),
    approvalTimeoutSeconds: deploy.approvalTimeoutSeconds,
    alarmEmail: deploy.alarmEmail,
    reservedConcurrency: deploy.reservedConcurrency,
    approvals,
    tickets: { ...tickets, sinks: tickets.sinks ?? [] },
    retainData: deploy.retainData,
    accessEntries: deploy.accessEntries,
    policy,
  };
}

/** Names the file to create, and the stage that was probably meant when one is close. */
function missingStageFile(stage: string, file: string, root: string): string {
  const stages = readdirSync(root)
    .map((name) => /^tourniquet\.(.+)\.json$/.exec(name)?.[1])
    .filter((s): s is string => s !== undefined && s !== 'config');
  const near = closestKey(stage, stages);
  return [
    `no configuration for stage ${stage}: ${file} does not exist`,
    near ? ` (did you mean --stage ${near}?)` : '',
    `. Create ${file} (see docs/deploy.md)`,
    stages.length > 0 ? `; stages configured here: ${stages.sort().join(', ')}` : '',
    '. The sample tourniquet.config.json is never deployed.',
  ].join('');
}

/** `deploy.role`: which program the stage deploys (infra/index.ts or infra/member.ts). */
export function deployRole(value: unknown): 'hub' | 'member' {
  if (value === undefined || value === 'hub') return 'hub';
  if (value === 'member') return 'member';
  throw new Error(`deploy.role: expected "hub" or "member" (got ${JSON.stringify(value)})`);
}

function withFile<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}
