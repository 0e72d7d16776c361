import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoApprovalStore, XRayTracer } from '@tourniquet/aws';
import { METRIC } from '@tourniquet/core';
import {
  type ApprovalSettings,
  type RequestApprovalResult,
  requestApproval,
  type SlackMessenger,
} from '@tourniquet/slack';
import { approvalLog } from './approvalLog';
import type { SlackConnection } from './approvalSlack';
import { count, countBy } from './metrics';
import { traceInvocations } from './tracing';

export interface RequestApprovalHandlerDeps {
  store: DynamoApprovalStore;
  settings: ApprovalSettings;
  /** Null without Slack; may throw (secret unreadable), which leaves the CLI as the way to decide. */
  slack: (() => Promise<SlackConnection>) | null;
  /** Records the request on the incident (status awaiting-approval); null records nothing. */
  incidents: { approvalRequested(request: unknown): Promise<void> } | null;
  logger: Logger;
  metrics: Metrics;
  tracer: XRayTracer;
  now?: () => Date;
}

/**
 * The approval Task's Lambda (invoked with `lambda:invoke.waitForTaskToken`; its event is the
 * ApprovalRequest). It returns without completing the task: the decision endpoint or the CLI
 * does that later. It fails only when the request cannot be stored.
 */
export function createRequestApprovalHandler(deps: RequestApprovalHandlerDeps) {
  const { logger, metrics } = deps;
  return middy(async (event: unknown): Promise<Omit<RequestApprovalResult, 'message'>> => {
    const incidentKey = (event as { incidentKey?: unknown })?.incidentKey;
    if (typeof incidentKey === 'string') logger.setCorrelationId(incidentKey);
    let slack: SlackMessenger | null = null;
    if (deps.slack) {
      try {
        slack = (await deps.slack()).messenger;
      } catch (error) {
        logger.error('Slack secret unavailable; the request will only be decidable from the CLI', {
          error: (error as Error).message,
        });
      }
    }
    const result = await requestApproval(event, {
      store: deps.store,
      settings: deps.settings,
      slack,
      now: deps.now ?? (() => new Date()),
      log: approvalLog(logger),
    });
    const playbook = (event as { playbook?: unknown })?.playbook;
    countBy(metrics, METRIC.ApprovalsRequested, {
      playbook: typeof playbook === 'string' ? playbook : 'unknown',
    });
    // The request stands even if the incident record cannot be updated: it is in the approvals
    // table and its audit trail; the miss is logged and counted.
    try {
      // The incident record never needs the task token: it stays in the approvals table only.
      const { taskToken: _token, ...request } = event as Record<string, unknown>;
      await deps.incidents?.approvalRequested({
        ...request,
        approvalId: result.approvalId,
      });
    } catch (error) {
      logger.error('approval request not recorded on the incident', {
        approvalId: result.approvalId,
        error: (error as Error).message,
      });
      count(metrics, METRIC.IncidentRecordFailures);
    }
    logger.info('approval requested', { approvalId: result.approvalId, posted: result.posted });
    if (deps.settings.slack && !result.posted) count(metrics, METRIC.ApprovalPostsFailed);
    return { approvalId: result.approvalId, posted: result.posted };
  })
    .use(traceInvocations(deps.tracer))
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger, { clearState: true }));
}
