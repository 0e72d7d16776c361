import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoApprovalStore, XRayTracer } from '@tourniquet/aws';
import { type ApproverPeople, ATTEMPT_RESULT, METRIC, type TaskCompleter } from '@tourniquet/core';
import {
  type FunctionUrlEvent,
  fromFunctionUrlEvent,
  type HttpResponse,
  handleSlackInteraction,
  httpAnswer,
  type InteractionDeps,
  type SlackSettings,
} from '@tourniquet/slack';
import { approvalLog } from './approvalLog';
import { count, countBy } from './metrics';
import { traceInvocations } from './tracing';

/** The part of the ticket service that records approval decisions on incidents. */
export interface IncidentDecisions {
  approvalDecidedOn(
    incidentKey: string,
    actions: readonly string[],
    decision: { decision: 'approved' | 'denied'; by: string; at: string },
  ): Promise<void>;
}

/**
 * Records each decision on its incident. A failure to record never undoes the decision: it is
 * logged and counted.
 */
export function recordDecisionsOn(
  incidents: IncidentDecisions | null,
  logger: Logger,
  metrics: Metrics,
) {
  if (!incidents) return undefined;
  return async (
    record: { approvalId: string; incidentKey: string; actions: readonly string[] },
    decision: Parameters<IncidentDecisions['approvalDecidedOn']>[2],
  ) => {
    try {
      await incidents.approvalDecidedOn(record.incidentKey, record.actions, decision);
    } catch (error) {
      logger.error('decision not recorded on the incident', {
        approvalId: record.approvalId,
        error: (error as Error).message,
      });
      count(metrics, METRIC.IncidentRecordFailures);
    }
  };
}

import type { SlackConnection } from './approvalSlack';

export interface SlackInteractionsHandlerDeps {
  store: DynamoApprovalStore;
  completer: TaskCompleter;
  /** Records decisions on the incident; null records nothing. */
  incidents: IncidentDecisions | null;
  slackSettings: SlackSettings;
  people?: ApproverPeople;
  consoleDomain: string;
  slack: () => Promise<SlackConnection>;
  /** Starts the release playbook for a Release click; absent, Release clicks are unavailable. */
  release?: InteractionDeps['release'];
  logger: Logger;
  metrics: Metrics;
  tracer: XRayTracer;
  now?: () => Date;
}

/**
 * The Slack interactivity endpoint (Function URL, auth NONE: Slack cannot sign with SigV4, so
 * the Slack signature is the authentication). Everything is in handleSlackInteraction; this adds
 * the secret, Powertools, one metric per answer, and a 503 instead of a stack trace when a
 * dependency fails outright.
 */
export function createSlackInteractionsHandler(deps: SlackInteractionsHandlerDeps) {
  const { logger, metrics } = deps;
  return middy(async (event: FunctionUrlEvent): Promise<HttpResponse> => {
    const request = fromFunctionUrlEvent(event);
    let connection: SlackConnection | null = null;
    try {
      connection = await deps.slack();
    } catch (error) {
      logger.error('Slack secret unavailable', { error: (error as Error).message });
    }
    let response: HttpResponse;
    try {
      response = await handleSlackInteraction(request, {
        signingSecret: async () => {
          if (!connection) throw new Error('the Slack secret could not be read');
          return connection.secret.signingSecret;
        },
        slackSettings: deps.slackSettings,
        people: deps.people,
        countRejected: () => count(metrics, METRIC.PreAuthRejections),
        consoleDomain: deps.consoleDomain,
        store: deps.store,
        completer: deps.completer,
        onDecided: recordDecisionsOn(deps.incidents, logger, metrics),
        slack: connection?.messenger ?? null,
        groups: connection?.groups ?? null,
        now: deps.now ?? (() => new Date()),
        log: approvalLog(logger),
        release: countedRelease(deps.release, logger, metrics),
      });
    } catch (error) {
      logger.error('interaction failed', { error: (error as Error).message });
      response = httpAnswer({
        result: ATTEMPT_RESULT.unavailable,
        message: 'the decision could not be processed; nothing changed, try again',
      });
    }
    countAnswer(metrics, 'slack', response);
    return response;
  })
    .use(traceInvocations(deps.tracer))
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger, { clearState: true }));
}

/** Logs and counts each release a click started (or joined, or found nothing to do). */
function countedRelease(
  release: InteractionDeps['release'],
  logger: Logger,
  metrics: Metrics,
): InteractionDeps['release'] {
  if (!release) return undefined;
  return async (request) => {
    const outcome = await release(request);
    logger.info('release requested', {
      incidentKey: request.incidentKey,
      approvalId: request.approvalId,
      by: request.requestedBy.id,
      outcome,
    });
    countBy(metrics, METRIC.ReleasesRequested, { outcome: outcome.status });
    return outcome;
  };
}

/** One count per answer, by result; an answer that decided also counts as a decision. */
export function countAnswer(
  metrics: Metrics,
  endpoint: 'slack' | 'cli',
  response: HttpResponse,
): void {
  const result = (JSON.parse(response.body) as { result?: string }).result ?? 'unknown';
  if (endpoint === 'slack') countBy(metrics, METRIC.SlackInteraction, { result });
  else countBy(metrics, METRIC.CliDecision, { result });
  if (result === ATTEMPT_RESULT.approved || result === ATTEMPT_RESULT.denied)
    countBy(metrics, METRIC.ApprovalsDecided, { decision: result });
}
