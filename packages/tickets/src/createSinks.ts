import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { JiraSink } from './jira/jiraSink';
import { PagerDutySink } from './pagerDuty/pagerDutySink';
import { SecurityHubSink } from './securityHub/securityHubSink';
import { ServiceNowSink } from './serviceNow/serviceNowSink';
import {
  jiraCredentialsSchema,
  pagerDutyCredentialsSchema,
  parseCredentials,
  serviceNowCredentialsSchema,
  type TicketSettings,
} from './ticketSettings';
import type { TicketSink } from './ticketSink';

/**
 * Reads a secret's JSON value by name or ARN. In Lambda this is Powertools Parameters'
 * `getSecret` (cached for the warm function, so rotation is picked up within its max age).
 */
export type SecretReader = (secretName: string) => Promise<unknown>;

export interface SinkDependencies {
  secrets: SecretReader;
  securityHub: (region: string) => SecurityHubClient | Promise<SecurityHubClient>;
  /** Region for incidents that have none (IAM is global). */
  defaultRegion: string;
}

/** The configured sinks, in order; credentials are read from their secrets on use, never stored. */
export function createSinks(settings: TicketSettings, deps: SinkDependencies): TicketSink[] {
  return settings.sinks.map((sink) => {
    switch (sink.type) {
      case 'jira':
        return new JiraSink(sink, async () =>
          parseCredentials(
            jiraCredentialsSchema,
            await deps.secrets(sink.credentialsSecret),
            sink.credentialsSecret,
          ),
        );
      case 'pagerduty':
        return new PagerDutySink(sink, async () =>
          parseCredentials(
            pagerDutyCredentialsSchema,
            await deps.secrets(sink.credentialsSecret),
            sink.credentialsSecret,
          ),
        );
      case 'servicenow':
        return new ServiceNowSink(sink, async () =>
          parseCredentials(
            serviceNowCredentialsSchema,
            await deps.secrets(sink.credentialsSecret),
            sink.credentialsSecret,
          ),
        );
      case 'securityhub':
        return new SecurityHubSink(sink, deps.securityHub, deps.defaultRegion);
      default:
        return unknownSink(sink);
    }
  });
}

function unknownSink(sink: never): never {
  throw new Error(
    `tickets.sinks: unknown sink type ${JSON.stringify((sink as { type?: unknown }).type)}`,
  );
}
