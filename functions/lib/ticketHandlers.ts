import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { failedSteps, METRIC } from '@tourniquet/core';
import type { TicketService } from '@tourniquet/tickets';
import { count, countBy } from './metrics';
import { logger, metrics, tracer } from './powertools';
import { traceInvocations } from './tracing';

type Request = { incidentKey?: string; playbook?: string; reason?: string; [key: string]: unknown };

/**
 * The "Open ticket" (start) and "Update ticket" (end) Tasks' Lambda: TicketRequest →
 * TicketResult. Errors are thrown with their
 * names (TransientActionError → the playbook retries; others → Escalate); the incident already
 * records which sink failed and why.
 */
export function createOpenTicketHandler(service: TicketService) {
  return wrap(async (event: Request) => {
    const result = await service.openTicket(event);
    logger.info('ticket step done', { playbook: event.playbook, phase: event.phase, result });
    count(metrics, result.created ? METRIC.TicketsOpened : METRIC.TicketsUpdated);
    return result;
  }, 'open-ticket');
}

/**
 * The "Escalate" (once per run, every failed step) and "Page on-call (approval expired)"
 * Tasks' Lambda: EscalationRequest →
 * EscalationResult. After an expired approval, `closeApprovals` takes the stale request's
 * buttons off Slack (best effort: paging comes first and is never held up by it).
 */
export function createEscalateHandler(
  service: TicketService,
  closeApprovals?: (incidentKey: string) => Promise<string[]>,
) {
  return wrap(async (event: Request) => {
    const result = await service.escalate(event);
    if (event.reason === 'approval-expired' && event.incidentKey && closeApprovals) {
      try {
        const closed = await closeApprovals(event.incidentKey);
        if (closed.length > 0) logger.info('expired approvals closed', { closed });
      } catch (error) {
        logger.warn('expired approvals not closed', { error: (error as Error).message });
      }
    }
    // One escalation per run names every failed step (`failures`, by step key).
    const failed = failedSteps(event.failures as Parameters<typeof failedSteps>[0]).map(
      (f) => f.step,
    );
    logger.warn('incident escalated', { reason: event.reason, failed, result });
    countBy(metrics, METRIC.Escalations, { reason: String(event.reason ?? 'unknown') });
    if (event.reason === 'approval-expired')
      countBy(metrics, METRIC.ApprovalsDecided, { decision: 'expired' });
    if (!result.paged) count(metrics, METRIC.EscalationsNotPaged);
    return result;
  }, 'escalate');
}

function wrap<R>(body: (event: Request) => Promise<R>, step: string) {
  return middy(async (event: Request) => {
    logger.setCorrelationId(event?.incidentKey);
    try {
      return await body(event);
    } catch (error) {
      const e = error as Error;
      logger.error('ticket step failed', { step, errorName: e.name, error: e.message });
      count(metrics, METRIC.TicketStepFailures);
      throw error;
    }
  })
    .use(traceInvocations(tracer))
    .use(logMetrics(metrics))
    .use(injectLambdaContext(logger, { clearState: true }));
}
