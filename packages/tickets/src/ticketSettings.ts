import { describeProblems, zodProblems } from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import { TicketSettingsError } from './errors';

/** Name or ARN of the Secrets Manager secret holding the sink's credentials (a JSON object). */
const credentialsSecret = z
  .string()
  .check(z.minLength(1, 'expected a Secrets Manager secret name or ARN'));
/** Hosts that never leave the machine: where the local simulators listen. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * A ticket system's URL. Credentials and incident details travel over it, so it is https;
 * plain http only reaches a simulator on this machine.
 */
export const sinkUrl = z.pipe(
  z.url({ protocol: /^https?$/, error: 'expected an https:// URL' }).check(
    z.superRefine((value, ctx) => {
      const url = URL.parse(value);
      if (!url) return; // already reported by z.url
      if (url.username || url.password) {
        ctx.addIssue({
          code: 'custom',
          message: 'must not carry credentials (they come from credentialsSecret)',
        });
      }
      if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be https:// (plain http:// only for a local simulator on 127.0.0.1, ::1 or localhost; got host ${url.hostname})`,
        });
      }
    }),
  ),
  z.transform((u) => u.replace(/\/+$/, '')),
);

export const jiraSettingsSchema = z.strictObject({
  type: z.literal('jira'),
  baseUrl: sinkUrl,
  projectKey: z
    .string()
    .check(z.regex(/^[A-Z][A-Z0-9_]+$/, 'expected a Jira project key such as SEC')),
  issueType: z._default(z.string().check(z.minLength(1)), 'Task'),
  labels: z._default(
    z.array(z.string().check(z.regex(/^\S+$/, 'Jira labels cannot contain spaces'))),
    [],
  ),
  /** Transition used on resolve; default: the first one into the `done` status category. */
  resolveTransition: z.optional(z.string().check(z.minLength(1))),
  credentialsSecret,
});

export const pagerDutySettingsSchema = z.strictObject({
  type: z.literal('pagerduty'),
  eventsUrl: z._default(sinkUrl, 'https://events.pagerduty.com/v2/enqueue'),
  /** `payload.source`; default: the affected resource. */
  source: z.optional(z.string().check(z.minLength(1))),
  credentialsSecret,
});

export const serviceNowSettingsSchema = z.strictObject({
  type: z.literal('servicenow'),
  instanceUrl: sinkUrl,
  assignmentGroup: z.optional(z.string().check(z.minLength(1))),
  callerId: z.optional(z.string().check(z.minLength(1))),
  category: z._default(z.string().check(z.minLength(1)), 'security'),
  /** `close_code` when resolving; instances require one (data policy). */
  closeCode: z._default(z.string().check(z.minLength(1)), 'Solved (Permanently)'),
  credentialsSecret,
});

export const securityHubSettingsSchema = z.strictObject({
  type: z.literal('securityhub'),
  /** Region to import into; default: the incident's region. */
  region: z.optional(z.string().check(z.minLength(1))),
  /**
   * The account whose Security Hub receives the incident's finding (the deployment's own; the
   * stage sets it). BatchImportFindings with the default product takes only findings of the
   * calling account, so an incident in another (member) account is still imported here, its
   * resources naming the member account. Default: the incident's account.
   */
  account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit AWS account id'))),
});

const sinkSettingsSchema = z.discriminatedUnion('type', [
  jiraSettingsSchema,
  pagerDutySettingsSchema,
  serviceNowSettingsSchema,
  securityHubSettingsSchema,
]);

export const ticketSettingsSchema = z.strictObject({
  /** The first sink is the primary one: its ticket id is the one the playbook gets back. */
  sinks: z._default(z.array(sinkSettingsSchema), []),
  /** How long a ticket-creation claim holds before another invocation may take it over. */
  claimLeaseSeconds: z._default(z.int().check(z.positive()), 300),
});

export type JiraSettings = z.infer<typeof jiraSettingsSchema>;
export type PagerDutySettings = z.infer<typeof pagerDutySettingsSchema>;
export type ServiceNowSettings = z.infer<typeof serviceNowSettingsSchema>;
export type SecurityHubSettings = z.infer<typeof securityHubSettingsSchema>;
export type SinkSettings = z.infer<typeof sinkSettingsSchema>;
export type TicketSettings = z.infer<typeof ticketSettingsSchema>;

export const jiraCredentialsSchema = z.object({
  email: z.string().check(z.minLength(1)),
  apiToken: z.string().check(z.minLength(1)),
});
export const pagerDutyCredentialsSchema = z.object({
  routingKey: z.string().check(z.length(32, 'expected the 32-character integration (routing) key')),
});
export const serviceNowCredentialsSchema = z.object({
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
});
export type JiraCredentials = z.infer<typeof jiraCredentialsSchema>;
export type PagerDutyCredentials = z.infer<typeof pagerDutyCredentialsSchema>;
export type ServiceNowCredentials = z.infer<typeof serviceNowCredentialsSchema>;

const CREDENTIAL_KEYS =
  /^(api_?token|token|password|secret|routing_?key|integration_?key|client_?secret)$/i;

/**
 * Validates the ticket settings. Credentials are refused by name before the schema runs, with
 * a message that says where they belong: settings are config, and config files are not secret.
 */
export function parseTicketSettings(input: unknown): TicketSettings {
  const sinks = (input as { sinks?: unknown })?.sinks;
  if (Array.isArray(sinks)) {
    sinks.forEach((sink, index) => {
      for (const key of Object.keys((sink ?? {}) as object)) {
        if (CREDENTIAL_KEYS.test(key)) {
          throw new TicketSettingsError(
            `invalid ticket settings: sinks.${index}.${key}: credentials come from Secrets Manager (credentialsSecret), never from configuration`,
          );
        }
      }
    });
  }
  const result = ticketSettingsSchema.safeParse(input);
  if (!result.success) {
    throw new TicketSettingsError(
      `invalid ticket settings: ${describeProblems(zodProblems(result.error))}`,
    );
  }
  return result.data;
}

/** Validates credentials read from a secret; the message names the secret, never its values. */
export function parseCredentials<T>(schema: z.ZodMiniType<T>, value: unknown, secret: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.join('.') || '(secret)');
    throw new TicketSettingsError(
      `secret ${secret} does not hold the expected credentials: check ${[...new Set(fields)].join(', ')}`,
    );
  }
  return result.data;
}

/** Sink types that read credentials from a secret (`credentialsSecret`). */
export const SINKS_WITH_CREDENTIALS = ['jira', 'pagerduty', 'servicenow'] as const;
export type SinkWithCredentials = (typeof SINKS_WITH_CREDENTIALS)[number];

/**
 * The `tickets` section as a stage deploys it: a sink that needs credentials and names no
 * secret gets the one the stage creates for its type (`secretFor`). Anything else is kept as
 * written, for parseTicketSettings to judge.
 */
export function withStageSecrets<T>(
  section: T,
  secretFor: (type: SinkWithCredentials) => string | undefined,
): T {
  const sinks = (section as { sinks?: unknown } | null | undefined)?.sinks;
  if (!Array.isArray(sinks)) return section;
  return {
    ...section,
    sinks: sinks.map((sink) => {
      const type = (sink as { type?: unknown } | null)?.type;
      const named = (sink as { credentialsSecret?: unknown }).credentialsSecret;
      if (!(SINKS_WITH_CREDENTIALS as readonly unknown[]).includes(type) || named) return sink;
      const secret = secretFor(type as SinkWithCredentials);
      return secret ? { ...sink, credentialsSecret: secret } : sink;
    }),
  };
}
