import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoApprovalStore, XRayTracer } from '@tourniquet/aws';
import { ATTEMPT_RESULT, METRIC, type TaskCompleter } from '@tourniquet/core';
import {
  type ApprovalSettings,
  type FunctionUrlEvent,
  fromFunctionUrlEvent,
  type HttpResponse,
  handleDecisionRequest,
  httpAnswer,
  type SlackMessenger,
} from '@tourniquet/slack';
import {
  countAnswer,
  type IncidentDecisions,
  recordDecisionsOn,
} from './approvalInteractionsHandler';
import { approvalLog } from './approvalLog';
import type { SlackConnection } from './approvalSlack';
import { count } from './metrics';
import { traceInvocations } from './tracing';

export interface DecisionHandlerDeps {
  store: DynamoApprovalStore;
  completer: TaskCompleter;
  /** The deployed `approvals` section: its cli.approverArns and people decide who may decide. */
  settings: ApprovalSettings;
  incidents: IncidentDecisions | null;
  /** Null without Slack; a failure to read the secret only skips the message update. */
  slack: (() => Promise<SlackConnection>) | null;
  logger: Logger;
  metrics: Metrics;
  tracer: XRayTracer;
  now?: () => Date;
  /** Tests and local runs only: the STS stand-in a proof may name. Never set when deployed. */
  localStsEndpoint?: string;
}

/**
 * `tourniquet approve|deny`'s endpoint (Function URL, auth NONE: the body carries a presigned
 * STS GetCallerIdentity that this function has STS verify, as EKS does with its tokens).
 * Everything is in handleDecisionRequest; this adds Powertools, the Slack client for the message
 * update, one metric per answer, and a 503 instead of a stack trace when a dependency fails.
 */
export function createDecisionHandler(deps: DecisionHandlerDeps) {
  const { logger, metrics } = deps;
  return middy(async (event: FunctionUrlEvent): Promise<HttpResponse> => {
    let slack: SlackMessenger | null = null;
    if (deps.slack) {
      try {
        slack = (await deps.slack()).messenger;
      } catch (error) {
        logger.error('Slack secret unavailable; the message will not show the decision', {
          error: (error as Error).message,
        });
      }
    }
    let response: HttpResponse;
    try {
      response = await handleDecisionRequest(fromFunctionUrlEvent(event), {
        store: deps.store,
        completer: deps.completer,
        approverArns: deps.settings.cli.approverArns,
        people: deps.settings.people,
        onDecided: recordDecisionsOn(deps.incidents, logger, metrics),
        slack,
        consoleDomain: deps.settings.consoleDomain,
        now: deps.now ?? (() => new Date()),
        log: approvalLog(logger),
        localStsEndpoint: deps.localStsEndpoint,
        countRejected: () => count(metrics, METRIC.PreAuthRejections),
      });
    } catch (error) {
      logger.error('decision failed', { error: (error as Error).message });
      response = httpAnswer({
        result: ATTEMPT_RESULT.unavailable,
        message: 'the decision could not be processed; nothing changed, try again',
      });
    }
    countAnswer(metrics, 'cli', response);
    return response;
  })
    .use(traceInvocations(deps.tracer))
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger, { clearState: true }));
}
