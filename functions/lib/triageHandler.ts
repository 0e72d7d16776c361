import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics, MetricUnit as MetricUnits } from '@aws-lambda-powertools/metrics';
import type { ParsedResult } from '@aws-lambda-powertools/parser/types';
import {
  type CapacityLedger,
  type ConfigRuleResolver,
  describeProblems,
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
 * Handler body, independent of middy: Powertools Parser has already checked the EventBridge
 * envelope (safeParse), core checks the detail. Every outcome is logged and counted.
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

  return async (parsed: ParsedResult<unknown, unknown>): Promise<TriageResponse> => {
    if (!parsed.success) {
      reject(
        parsed.originalEvent,
        `not an EventBridge event: ${describeParseError(parsed.error)}`,
        parsed.error,
      );
    }
    let result: Awaited<ReturnType<typeof triage>>;
    try {
      result = await triage(parsed.data, planner, starter, new Date(), ledger, configRules);
    } catch (error) {
      if (error instanceof EventValidationError || error instanceof UnrecognisedEventError) {
        reject(parsed.data, error.message, error);
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

/**
 * Powertools' ParseError carries the schema issues (Standard Schema: message + path) as its
 * cause; they name the missing or malformed envelope fields.
 */
function describeParseError(error: Error): string {
  const issues = error.cause;
  if (!Array.isArray(issues)) return error.message;
  return describeProblems(
    issues.map(
      (issue: { message?: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }) => ({
        path: (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.'),
        message: issue.message ?? 'invalid',
      }),
    ),
  );
}
