import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type TourniquetConfig } from '@tourniquet/core';
import { type ApprovalSettings, approvalSettingsFromConfig } from '@tourniquet/slack';
import {
  parseTicketSettings,
  type SinkWithCredentials,
  withStageSecrets,
} from '@tourniquet/tickets';

/** Ticket sinks that need credentials, and the keys of the secret the stage creates for each. */
export const SINK_SECRETS: Record<SinkWithCredentials, Readonly<Record<string, string>>> = {
  jira: { JiraEmail: 'email', JiraApiToken: 'apiToken' },
  pagerduty: { PagerDutyRoutingKey: 'routingKey' },
  servicenow: { ServiceNowUsername: 'username', ServiceNowPassword: 'password' },
};
export type SecretSink = SinkWithCredentials;

/** What one stage (one account) deploys, read from `tourniquet.<stage>.json` or the default config. */
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
}

/**
 * Concurrency set aside for the public Slack endpoint and for each containment (action)
 * function. The Slack endpoint is reachable by anyone: its reservation is also its ceiling, so a
 * flood of requests cannot take the account's concurrency from containment. The action functions'
 * reservation is a floor nothing else can take, and a ceiling on how fast they change things.
 */
export interface ReservedConcurrency {
  slackInteractions: number | null;
  actions: number | null;
}

export const DEFAULT_RESERVED_CONCURRENCY: ReservedConcurrency = {
  slackInteractions: 10,
  actions: 10,
};

/** `deploy.reservedConcurrency`: positive integers, or null to reserve nothing. */
export function parseReservedConcurrency(value: unknown): ReservedConcurrency {
  if (value === undefined) return { ...DEFAULT_RESERVED_CONCURRENCY };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(
      'deploy.reservedConcurrency: expected an object {"slackInteractions", "actions"}',
    );
  const result = { ...DEFAULT_RESERVED_CONCURRENCY };
  for (const [key, v] of Object.entries(value)) {
    if (!(key in result))
      throw new Error(
        `deploy.reservedConcurrency.${key}: unknown key (expected slackInteractions or actions)`,
      );
    // 0 would throttle every invocation: a function that never runs, not a limit.
    if (v !== null && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000))
      throw new Error(
        `deploy.reservedConcurrency.${key}: expected an integer from 1 to 1000, or null for none (got ${JSON.stringify(v)})`,
      );
    result[key as keyof ReservedConcurrency] = v as number | null;
  }
  return result;
}

export function stageSettings(stage: string, root = process.cwd()): StageSettings {
  const candidates = [`tourniquet.${stage}.json`, 'tourniquet.config.json'];
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    const document = JSON.parse(text) as Record<string, unknown>;
    const deploy = (document.deploy ?? {}) as Record<string, unknown>;
    const config = parseConfig(document);
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
    const role = withFile(file, () => deployRole(deploy.role));
    const account = (deploy.account as string | undefined) ?? accounts[0];
    if (!account)
      throw new Error(
        `${file}: no clusters and no deploy.account: which account does stage ${stage} deploy to?`,
      );
    const homeRegion =
      (deploy.region as string | undefined) ??
      config.clusters.find((c) => c.account === account)?.region ??
      'us-east-1';
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
      approvalTimeoutSeconds: Number(deploy.approvalTimeoutSeconds ?? 900),
      alarmEmail: (deploy.alarmEmail as string | undefined) ?? null,
      reservedConcurrency: withFile(file, () =>
        parseReservedConcurrency(deploy.reservedConcurrency),
      ),
      approvals,
      tickets: { ...tickets, sinks: tickets.sinks ?? [] },
    };
  }
  throw new Error(
    `no configuration for stage ${stage}: create ${candidates[0]} (see docs/deploy.md)`,
  );
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
