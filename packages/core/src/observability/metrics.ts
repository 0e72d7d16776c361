/**
 * The custom metrics the functions emit and the dashboard plots: one list, read by both, so a
 * metric renamed here is renamed everywhere and a metric the code stops emitting fails the
 * dashboard's test. Outcomes are dimensions, never part of a metric's name: a new outcome is a
 * new value of `outcome`, not a new metric the dashboard has never heard of.
 */
export const METRIC_NAMESPACE = 'Tourniquet';

/**
 * Powertools adds the function's service name to every metric as the `service` dimension
 * (`tourniquet-<function>`), so each metric is keyed by it as well as by its own dimensions.
 */
export const SERVICE_DIMENSION = 'service';

interface MetricSpec {
  readonly dimensions: readonly string[];
  readonly description: string;
}

export const METRICS = {
  Findings: {
    dimensions: ['source', 'playbook'],
    description: 'findings triaged, by source (guardduty, config, cloudtrail) and playbook',
  },
  FindingsWithoutAction: { dimensions: [], description: 'findings whose plan starts nothing' },
  DuplicateFindings: {
    dimensions: [],
    description: 'findings that joined the running execution of their incident',
  },
  PlaybooksStarted: { dimensions: ['playbook'], description: 'executions triage started' },
  RejectedEvents: { dimensions: [], description: 'events triage refused (sent to the DLQ)' },
  CappedFindings: {
    dimensions: [],
    description: 'findings held to ticket-only by the blast-radius cap',
  },
  ConfigRuleLookupFailures: {
    dimensions: [],
    description: 'Config rules identified by their name only',
  },
  ActionOutcome: {
    dimensions: ['action', 'outcome'],
    description: 'response action runs, by action and outcome (applied, skipped, dry-run, …)',
  },
  ApprovalsRequested: { dimensions: ['playbook'], description: 'approval requests stored' },
  ApprovalPostsFailed: {
    dimensions: [],
    description: 'approval requests Slack did not take (decidable from the CLI)',
  },
  ApprovalsDecided: {
    dimensions: ['decision'],
    description: 'approvals decided: approved, denied, expired',
  },
  SlackInteraction: {
    dimensions: ['result'],
    description: 'answers of the Slack endpoint, by result',
  },
  CliDecision: {
    dimensions: ['result'],
    description: 'answers of the CLI decision endpoint, by result',
  },
  ReleasesRequested: {
    dimensions: ['outcome'],
    description: 'Release clicks, by outcome (started, already-running, nothing-to-release)',
  },
  PreAuthRejections: {
    dimensions: [],
    description: 'decision requests refused before the caller was known',
  },
  IncidentRecordFailures: {
    dimensions: [],
    description: 'approval requests or decisions not written to the incident record',
  },
  TicketsOpened: { dimensions: [], description: 'tickets opened' },
  TicketsUpdated: { dimensions: [], description: 'tickets updated' },
  TicketStepFailures: { dimensions: [], description: 'ticket or escalation steps that failed' },
  Escalations: { dimensions: ['reason'], description: 'escalations, by reason' },
  EscalationsNotPaged: { dimensions: [], description: 'escalations no sink paged' },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
export type MetricDimensions<M extends MetricName> = (typeof METRICS)[M]['dimensions'][number];
/** The metrics that carry dimensions of their own, and those that carry only `service`. */
export type DimensionedMetric = {
  [M in MetricName]: MetricDimensions<M> extends never ? never : M;
}[MetricName];
export type PlainMetric = Exclude<MetricName, DimensionedMetric>;

/** `METRIC.Findings === 'Findings'`: code names metrics through this, never by a string. */
export const METRIC = Object.fromEntries(Object.keys(METRICS).map((name) => [name, name])) as {
  readonly [M in MetricName]: M;
};

/** The Powertools service name of a deployed function: `tourniquet-triage`, `tourniquet-isolate-pod`. */
export function serviceNameOf(functionName: string): string {
  return `tourniquet-${functionName}`;
}
