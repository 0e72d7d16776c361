import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics, MetricUnit as MetricUnits } from '@aws-lambda-powertools/metrics';
import {
  type CapacityLedger,
  type ConfigRuleResolver,
  EventValidationError,
  type Planner,
  type PlaybookStarter,
  TourniquetError,
  triage,
  UnrecognisedEventError,
} from '@tourniquet/core';

export interface TriageDeps {
  planner: Planner;
  starter: PlaybookStarter;
  /** The blast-radius budget (DESIGN §6); without it nothing is capped. */
  ledger?: CapacityLedger;
  /** Identifies Config rules by their Source; without it, by their names only. */
  configRules?: ConfigRuleResolver;
  logger: Logger;
  metrics: Metrics;
  unit: typeof MetricUnits;
}

export interface TriageResponse {
  incidentKey: string;
  playbook: string | null;
  reason: string;
  /** True when the blast-radius cap turned containment into a ticket. */
  capped: boolean;
  execution: { status: string; name: string } | null;
}

/**
 * Thrown for an event that is not a valid event of a supported source. Lambda's asynchronous
 * retries then deliver it to the function's dead-letter queue, so it is never dropped silently.
 */
export class RejectedEventError extends TourniquetError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RejectedEventError';
  }
}

/**
 * Handler body, independent of middy. Core validates the EventBridge envelope and the detail
 * (one pass, naming the field at fault); a second envelope check in a Parser middleware only
 * cost cold start. Every outcome is logged and counted.
 */
export function createTriageHandler(deps: TriageDeps) {
  const { planner, starter, ledger, configRules, logger, metrics, unit } = deps;

  function reject(event: unknown, reason: string, cause?: unknown): never {
    const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    logger.error('event rejected', {
      reason,
      eventId: e.id,
      source: e.source,
      detailType: e['detail-type'],
    });
    metrics.addMetric('RejectedEvents', unit.Count, 1);
    throw new RejectedEventError(reason, { cause });
  }

  return async (event: unknown): Promise<TriageResponse> => {
    let result: Awaited<ReturnType<typeof triage>>;
    try {
      result = await triage(event, planner, starter, new Date(), ledger, configRules);
    } catch (error) {
      if (error instanceof EventValidationError || error instanceof UnrecognisedEventError) {
        reject(event, error.message, error);
      }
      throw error;
    }
    const { plan, execution, capped } = result;
    if (capped) {
      logger.warn('blast-radius cap reached: containment withheld, ticket-only', {
        incidentKey: plan.incidentKey,
        reason: plan.reason,
      });
      metrics.addMetric('CappedFindings', unit.Count, 1);
    }
    logger.setCorrelationId(plan.incidentKey);
    const { context } = plan.finding;
    if (context.origin === 'config' && context.identity.by === 'name' && context.identity.problem) {
      logger.warn('Config rule identified by its name only', {
        ruleName: context.ruleName,
        problem: context.identity.problem,
      });
      metrics.addMetric('ConfigRuleLookupFailures', unit.Count, 1);
    }
    logger.info('finding triaged', {
      findingType: plan.finding.type,
      severity: plan.finding.severity,
      playbook: plan.playbook,
      reason: plan.reason,
      steps: plan.steps.map((s) => s.action),
      execution,
    });
    metrics.addMetric('Findings', unit.Count, 1);
    if (!execution) metrics.addMetric('FindingsWithoutAction', unit.Count, 1);
    else if (execution.status === 'duplicate')
      metrics.addMetric('DuplicateFindings', unit.Count, 1);
    else metrics.addMetric('PlaybooksStarted', unit.Count, 1);
    return {
      incidentKey: plan.incidentKey,
      playbook: plan.playbook,
      reason: plan.reason,
      capped,
      execution: execution && { status: execution.status, name: execution.executionName },
    };
  };
}
