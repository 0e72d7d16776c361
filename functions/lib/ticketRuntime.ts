import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '@tourniquet/aws';
import type { IncidentStore } from '@tourniquet/core';
import {
  createSinks,
  parseTicketSettings,
  securityHubClients,
  TicketService,
} from '@tourniquet/tickets';
import { jsonEnv } from './env';
import { incidentStoreFromEnv } from './incidentRuntime';
import { tracer } from './powertools';

/**
 * Credentials are read from Secrets Manager when a sink first needs them and cached for the warm
 * function for this long, so a rotated secret is picked up within five minutes.
 */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * The ticket service as the Lambdas run it: sinks from `$TICKET_SETTINGS` (JSON, validated when
 * the service is built: at cold start in open-ticket and escalate, at the first repeat finding
 * in triage; no credentials allowed in it), their credentials from Secrets Manager through
 * Powertools Parameters, the incidents table from `$INCIDENTS_TABLE`.
 */
export function ticketServiceFromEnv(
  actor: string,
  store: IncidentStore = incidentStoreFromEnv(),
): TicketService {
  const settings = parseTicketSettings(jsonEnv('TICKET_SETTINGS', { sinks: [] }));
  const secrets = new SecretsProvider({
    awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient(awsClientConfig())),
  });
  const region = awsClientConfig().region;
  const sinks = createSinks(settings, {
    secrets: (name) => secrets.get(name, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS }),
    securityHub: securityHubClients(),
    defaultRegion: region,
  });
  return new TicketService({
    store,
    sinks,
    actor,
    claimLeaseSeconds: settings.claimLeaseSeconds,
  });
}
