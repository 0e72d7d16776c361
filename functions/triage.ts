import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import {
  awsClientConfig,
  ConfigRuleLookup,
  DynamoCapacityLedger,
  idempotencyPersistenceOptions,
  StepFunctionsPlaybookStarter,
} from '@tourniquet/aws';
import {
  createPlanner,
  DEFAULT_POLICY,
  type PlaybookStarter,
  parseConfig,
  parsePolicy,
  reachKeyFor,
} from '@tourniquet/core';
import type { TicketService } from '@tourniquet/tickets';
// The starter alone: through the package index, a split bundle would load every sink eagerly.
import { IncidentRecordingStarter } from '@tourniquet/tickets/incidentRecordingStarter';
import { jsonEnv, requiredEnv } from './lib/env';
import { incidentStoreFromEnv, incidentsClient } from './lib/incidentRuntime';
import { logger, metrics, tracer } from './lib/powertools';
import { traceInvocations } from './lib/tracing';
import { createTriageHandler } from './lib/triageHandler';

/** A redelivered event within this window returns the first invocation's result. */
const IDEMPOTENCY_WINDOW_SECONDS = 3600;

const config = parseConfig(jsonEnv('TOURNIQUET_CONFIG', {}));
// The stage's policy file (deploy.policyFile), validated at deploy and again here; else built in.
const policy = process.env.TOURNIQUET_POLICY?.trim()
  ? parsePolicy(jsonEnv('TOURNIQUET_POLICY'), 'TOURNIQUET_POLICY')
  : DEFAULT_POLICY;
const planner = createPlanner(config, policy);
const dynamo = incidentsClient();
const store = incidentStoreFromEnv(dynamo);
const starter: PlaybookStarter = new IncidentRecordingStarter(
  new StepFunctionsPlaybookStarter({
    client: tracer.captureAWSv3Client(new SFNClient(awsClientConfig())),
    stateMachines: jsonEnv('PLAYBOOK_STATE_MACHINES') as Record<string, string>,
    // A cluster reached from a VPC gets the playbooks whose Kubernetes steps run there.
    reachOf: (plan) => reachKeyFor(config.clusters, plan.finding),
  }),
  {
    store,
    // Optional: with ticket settings, a finding that joins a running execution is commented on.
    tickets: process.env.TICKET_SETTINGS?.trim() ? repeatComments() : null,
    actor: 'triage',
    onCommentFailure: (error) =>
      logger.warn('repeat finding not commented on a ticket', { error: error.message }),
  },
);

/**
 * Comments on a repeat finding's tickets, through a ticket service built when the first repeat
 * comes. Triage needs the service for nothing else, so a cold start neither loads the sinks and
 * Powertools Parameters nor builds their schemas (docs/decisions.md, "Cold init"). The settings
 * are validated at deploy (infra/settings.ts); should the service still fail to build, the
 * repeat's invocation fails as one whose comment failed does, and Lambda retries it, while
 * findings that start a playbook are unaffected.
 */
function repeatComments(): Pick<TicketService, 'noteRepeat'> {
  let service: Promise<TicketService> | undefined;
  return {
    noteRepeat: async (...args) => {
      service ??= import('./lib/ticketRuntime').then((m) =>
        m.ticketServiceFromEnv('triage', store),
      );
      return (await service).noteRepeat(...args);
    },
  };
}

/**
 * The whole event is the idempotency key: EventBridge redelivers it unchanged, while a
 * re-published finding is a new event (new id, higher count) and is triaged again.
 */
const idempotency = makeHandlerIdempotent({
  persistenceStore: new DynamoDBPersistenceLayer({
    ...idempotencyPersistenceOptions(requiredEnv('INCIDENTS_TABLE'), 'triage'),
    awsSdkV3Client: dynamo,
  }),
  config: new IdempotencyConfig({ expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS }),
});

export const handler = middy(
  createTriageHandler({
    planner,
    starter,
    ledger: DynamoCapacityLedger.forIncidentTable(dynamo, requiredEnv('INCIDENTS_TABLE')),
    // Config rules by what they are (DescribeConfigRules), not by what they are called.
    configRules: new ConfigRuleLookup({
      instrument: (client) => tracer.captureAWSv3Client(client),
    }),
    logger,
    metrics,
  }),
)
  .use(traceInvocations(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(idempotency);
