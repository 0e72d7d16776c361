import { type SecretSink, SINK_SECRETS, type StageSettings } from './settings';

/** The keys of the Slack secret the approval functions read (see @tourniquet/slack). */
const SLACK_SECRET = { SlackBotToken: 'botToken', SlackSigningSecret: 'signingSecret' } as const;

export interface StageSecrets {
  /** `{botToken, signingSecret}`, when approvals.slack is configured. */
  slack: aws.secretsmanager.Secret | null;
  /** One per configured Jira / PagerDuty / ServiceNow sink that names no secret of its own. */
  sinks: Partial<Record<SecretSink, aws.secretsmanager.Secret>>;
}

/**
 * Credentials as `sst.Secret` values (set per stage with `npx sst secret set <Name> <value>`),
 * copied into one Secrets Manager secret per integration that the functions read at run time
 * with Powertools Parameters: never in config files, never in environment variables. Only the
 * integrations the stage configures get a secret, and the deploy stops (SST's
 * SecretMissingError, naming it) when one of their values was never set.
 */
export function secrets(settings: Pick<StageSettings, 'approvals' | 'tickets'>): StageSecrets {
  const slack = settings.approvals.slack ? secret('slack', SLACK_SECRET) : null;
  const sinks: StageSecrets['sinks'] = {};
  for (const sink of settings.tickets.sinks) {
    if (!(sink.type in SINK_SECRETS) || sink.credentialsSecret) continue;
    const type = sink.type as SecretSink;
    sinks[type] ??= secret(type, SINK_SECRETS[type]);
  }
  return { slack, sinks };
}

function secret(name: string, keys: Readonly<Record<string, string>>): aws.secretsmanager.Secret {
  const id = name.replace(/^./, (c) => c.toUpperCase());
  const value = Object.fromEntries(
    Object.entries(keys).map(([sstName, key]) => [key, new sst.Secret(sstName).value]),
  );
  const created = new aws.secretsmanager.Secret(`${id}Credentials`, {
    name: `tourniquet/${$app.stage}/${name}`,
    description: `Tourniquet: ${name} credentials (from sst secret set)`,
  });
  new aws.secretsmanager.SecretVersion(`${id}CredentialsValue`, {
    secretId: created.id,
    secretString: $jsonStringify(value),
  });
  return created;
}
