import {
  METRIC,
  METRIC_NAMESPACE,
  METRICS,
  type MetricName,
  SERVICE_DIMENSION,
} from '@tourniquet/core';

const PERIOD = 300;

/**
 * A SEARCH over every series of one of the functions' metrics: its dimension set exactly as the
 * code emits it (Powertools' `service` plus the metric's own, from METRICS in core), so a
 * series appears as soon as any function emits a new value (a new action, outcome or playbook)
 * and a metric the code does not emit under that name shows nothing.
 */
export function searchOf(metric: MetricName): string {
  const schema = [METRIC_NAMESPACE, SERVICE_DIMENSION, ...METRICS[metric].dimensions].join(',');
  return `SEARCH('{${schema}} MetricName="${metric}"', 'Sum', ${PERIOD})`;
}

type MetricRow = Array<string | Record<string, unknown>>;

interface DashboardInputs {
  region: string;
  deadLetterQueue: string;
  /** State machine name (playbook, or playbook-reach) → ARN. */
  stateMachines: Record<string, string>;
}

/** The dashboard's JSON body (CloudWatch "Dashboard Body Structure and Syntax"). */
export function dashboardBody({ region, deadLetterQueue, stateMachines }: DashboardInputs) {
  const search = (id: string, metric: MetricName, label: string) => [
    { id, expression: searchOf(metric), label },
  ];
  const machines = Object.entries(stateMachines).sort(([a], [b]) => a.localeCompare(b));
  const states = (metric: string): MetricRow[] =>
    machines.map(([name, arn]) => ['AWS/States', metric, 'StateMachineArn', arn, { label: name }]);
  const widgets: Array<{ title: string; metrics: MetricRow[]; stacked?: boolean }> = [
    {
      title: 'Findings by source and playbook',
      metrics: [search('findings', METRIC.Findings, '')],
      stacked: true,
    },
    {
      title: 'Executions started',
      metrics: [
        search('started', METRIC.PlaybooksStarted, 'triage started'),
        ...states('ExecutionsStarted'),
      ],
    },
    { title: 'Executions failed (escalated)', metrics: states('ExecutionsFailed') },
    {
      title: 'Approvals requested, decided and pending',
      metrics: [
        search('requested', METRIC.ApprovalsRequested, 'requested'),
        search('decided', METRIC.ApprovalsDecided, 'decided'),
        [
          {
            id: 'pending',
            // Requests not yet approved, denied or expired, counted over the dashboard's range.
            expression: 'RUNNING_SUM(FILL(SUM(requested), 0)) - RUNNING_SUM(FILL(SUM(decided), 0))',
            label: 'pending (in this range)',
          },
        ],
      ],
    },
    {
      title: 'Action outcomes',
      metrics: [search('outcomes', METRIC.ActionOutcome, '')],
      stacked: true,
    },
    {
      title: 'Escalations',
      metrics: [
        search('escalations', METRIC.Escalations, ''),
        search('unpaged', METRIC.EscalationsNotPaged, 'not paged'),
      ],
    },
    {
      title: 'Dead-letter queue depth',
      metrics: [
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          deadLetterQueue,
          { stat: 'Maximum', label: 'events waiting' },
        ],
      ],
    },
    {
      title: 'Decision endpoints and releases',
      metrics: [
        search('slack', METRIC.SlackInteraction, 'Slack'),
        search('cli', METRIC.CliDecision, 'CLI'),
        search('releases', METRIC.ReleasesRequested, 'release'),
        search('preauth', METRIC.PreAuthRejections, 'refused before auth'),
      ],
    },
  ];
  return {
    start: '-PT24H',
    widgets: widgets.map((w, i) => ({
      type: 'metric',
      x: (i % 2) * 12,
      y: Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
      properties: {
        title: w.title,
        region,
        view: 'timeSeries',
        stacked: w.stacked ?? false,
        stat: 'Sum',
        period: PERIOD,
        metrics: w.metrics,
      },
    })),
  };
}

/** The stage's dashboard, `tourniquet-<stage>`, in the home region. */
export function dashboard(
  region: $util.Input<string>,
  dlq: aws.sqs.Queue,
  machines: Record<string, aws.sfn.StateMachine>,
) {
  const names = Object.keys(machines);
  return new aws.cloudwatch.Dashboard('Dashboard', {
    dashboardName: `tourniquet-${$app.stage}`,
    dashboardBody: $util
      .all([
        region,
        dlq.name,
        $util.all(names.map((n) => (machines[n] as aws.sfn.StateMachine).arn)),
      ])
      .apply(([r, queue, arns]) =>
        JSON.stringify(
          dashboardBody({
            region: r,
            deadLetterQueue: queue,
            stateMachines: Object.fromEntries(names.map((n, i) => [n, arns[i] as string])),
          }),
        ),
      ),
  });
}
