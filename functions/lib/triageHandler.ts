import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  type CapacityLedger,
  type ConfigRuleResolver,
  EventValidationError,
  METRIC,
  type Planner,
  type PlaybookStarter,
  TourniquetError,
  triage,
  UnrecognisedEventError,
} from '@tourniquet/core';
import { count, countBy } from './metrics';

export interface TriageDeps {
  planner: Planner;
  starter: PlaybookStarter;
  /** The blast-radius budget (DESIGN §6); without it nothing is capped. */
  ledger?: CapacityLedger;
  /** Identifies Config rules by their Source; without it, by their names only. */
  configRules?: ConfigRuleResolver;
  logger: Logger;
  metrics: Metrics;
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
  const { planner, starter, ledger, configRules, logger, metrics } = deps;

  function reject(event: unknown, reason: string, cause?: unknown): never {
    const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    logger.error('event rejected', {
      reason,
      eventId: e.id,
      source: e.source,
      detailType: e['detail-type'],
    });
    count(metrics, METRIC.RejectedEvents);
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
      count(metrics, METRIC.CappedFindings);
    }
    logger.setCorrelationId(plan.incidentKey);
    const { context } = plan.finding;
    if (context.origin === 'config' && context.identity.by === 'name' && context.identity.problem) {
      logger.warn('Config rule identified by its name only', {
        ruleName: context.ruleName,
        problem: context.identity.problem,
      });
      count(metrics, METRIC.ConfigRuleLookupFailures);
    }
    logger.info('finding triaged', {
      findingType: plan.finding.type,
      severity: plan.finding.severity,
      playbook: plan.playbook,
      reason: plan.reason,
      steps: plan.steps.map((s) => s.action),
      execution,
    });
    const playbook = plan.playbook ?? 'none';
    countBy(metrics, METRIC.Findings, { source: plan.finding.origin, playbook });
    if (!execution) count(metrics, METRIC.FindingsWithoutAction);
    else if (execution.status === 'duplicate') count(metrics, METRIC.DuplicateFindings);
    else countBy(metrics, METRIC.PlaybooksStarted, { playbook });
    return {
      incidentKey: plan.incidentKey,
      playbook: plan.playbook,
      reason: plan.reason,
      capped,
      execution: execution && { status: execution.status, name: execution.executionName },
    };
  };
}
