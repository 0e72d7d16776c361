import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  type DimensionedMetric,
  METRIC_NAMESPACE,
  METRICS,
  type MetricName,
  SERVICE_DIMENSION,
  STATE_MACHINE_NAMES,
  serviceNameOf,
} from '@tourniquet/core';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { countBy } from '../functions/lib/metrics';
import { FUNCTION_NAMES } from '../infra/permissions';
import { REPO_ROOT } from './helpers/events';
import type { RecordedResource } from './helpers/infraChecks';
import { evaluateInfra } from './helpers/infraProgram';

let resources: RecordedResource[];
let outputs: Record<string, unknown>;

beforeAll(async () => {
  ({ resources, outputs } = await evaluateInfra());
}, 120_000);

const of = (type: string) => resources.filter((r) => r.type === type);

interface Searched {
  namespace: string;
  dimensions: string[];
  metric: string;
}

/** Every SEARCH expression of the dashboard, parsed: `{Namespace,dim,…} MetricName="X"`. */
function searches(body: any): Searched[] {
  const found: Searched[] = [];
  for (const widget of body.widgets)
    for (const row of widget.properties.metrics ?? [])
      for (const item of row) {
        const expression = typeof item === 'object' ? item.expression : undefined;
        if (typeof expression !== 'string' || !expression.startsWith('SEARCH(')) continue;
        const match = /^SEARCH\('\{([^}]+)\} MetricName="([^"]+)"'/.exec(expression);
        if (!match) throw new Error(`unexpected search expression ${expression}`);
        const [namespace, ...dimensions] = (match[1] as string).split(',');
        found.push({ namespace: namespace as string, dimensions, metric: match[2] as string });
      }
  return found;
}

/** Plain metric rows (`[namespace, name, dimension, value, …]`). */
function plainRows(body: any): string[][] {
  return body.widgets.flatMap((w: any) =>
    (w.properties.metrics as unknown[][]).filter((row) => typeof row[0] === 'string'),
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The metrics the Lambda code emits, read from its source: every count/countBy call names
 * a METRIC constant (a test below holds the code to that), so these are the names CloudWatch
 * receives. Renaming or dropping an emitted metric changes this set.
 */
function emittedInCode(): Map<MetricName, string[]> {
  const emitted = new Map<MetricName, string[]>();
  for (const file of sources(join(REPO_ROOT, 'functions'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bcount(?:By)?\(\s*metrics,\s*([^,)]+)/g)) {
      for (const name of (match[1] as string).matchAll(/METRIC\.(\w+)/g)) {
        const metric = name[1] as MetricName;
        emitted.set(metric, [...(emitted.get(metric) ?? []), relative(REPO_ROOT, file)]);
      }
    }
  }
  return emitted;
}

describe('Observability: dashboard and metrics (SST program evaluated offline)', () => {
  it("one dashboard per stage, tourniquet-<stage>, in the stage's home region, named in the outputs", () => {
    const dashboards = of('aws:cloudwatch/dashboard:Dashboard');
    expect(dashboards.map((d) => d.inputs.dashboardName)).toEqual(['tourniquet-test']);
    expect(outputs.dashboard).toBe('tourniquet-test');
    const body = JSON.parse(dashboards[0]?.inputs.dashboardBody);
    expect(
      body.widgets.every((w: any) => w.type === 'metric' && w.properties.region === 'us-east-1'),
    ).toBe(true);
  });

  it('plots findings by source and playbook, executions, approvals, action outcomes, escalations and DLQ depth', () => {
    const body = JSON.parse(of('aws:cloudwatch/dashboard:Dashboard')[0]?.inputs.dashboardBody);
    const searched = searches(body);
    const by = (metric: MetricName) => searched.find((s) => s.metric === metric)?.dimensions;
    expect(by('Findings')).toEqual([SERVICE_DIMENSION, 'source', 'playbook']);
    expect(by('ActionOutcome')).toEqual([SERVICE_DIMENSION, 'action', 'outcome']);
    expect(by('ApprovalsRequested')).toBeDefined();
    expect(by('ApprovalsDecided')).toEqual([SERVICE_DIMENSION, 'decision']);
    expect(by('Escalations')).toEqual([SERVICE_DIMENSION, 'reason']);
    const rows = plainRows(body);
    const machines = of('aws:sfn/stateMachine:StateMachine');
    expect(machines.length).toBeGreaterThanOrEqual(STATE_MACHINE_NAMES.length);
    for (const metric of ['ExecutionsStarted', 'ExecutionsFailed']) {
      const arns = rows
        .filter((r) => r[0] === 'AWS/States' && r[1] === metric)
        .map((r) => r[3])
        .sort();
      expect(arns).toEqual(
        machines
          .map((m) => `arn:aws:states:us-east-1:111122223333:stateMachine:${m.inputs.name}`)
          .sort(),
      );
    }
    const dlq = of('aws:sqs/queue:Queue').find((q) => q.name === 'TriageDeadLetters');
    expect(
      rows.find((r) => r[0] === 'AWS/SQS' && r[1] === 'ApproximateNumberOfMessagesVisible'),
    ).toEqual(expect.arrayContaining(['QueueName', dlq?.inputs.name]));
    const pending = body.widgets
      .flatMap((w: any) => w.properties.metrics.flat())
      .find((m: any) => m?.id === 'pending');
    expect(pending.expression).toContain('SUM(requested)');
    expect(pending.expression).toContain('SUM(decided)');
  });

  it('every Tourniquet metric it plots is one the functions emit, with the dimensions they emit it with', () => {
    const body = JSON.parse(of('aws:cloudwatch/dashboard:Dashboard')[0]?.inputs.dashboardBody);
    const emitted = emittedInCode();
    const plotted = searches(body);
    expect(plotted.length).toBeGreaterThan(5);
    for (const { namespace, dimensions, metric } of plotted) {
      expect(namespace).toBe(METRIC_NAMESPACE);
      expect(Object.keys(METRICS)).toContain(metric);
      expect(dimensions).toEqual([SERVICE_DIMENSION, ...METRICS[metric as MetricName].dimensions]);
      expect(emitted.get(metric as MetricName), `${metric} is never emitted`).toBeDefined();
    }
  });

  it('no function names a metric by a string: every metric goes through METRIC', () => {
    const stray: string[] = [];
    for (const file of sources(join(REPO_ROOT, 'functions'))) {
      if (file.endsWith(join('lib', 'metrics.ts'))) continue;
      const text = readFileSync(file, 'utf8');
      if (/\.addMetric\(/.test(text)) stray.push(`${relative(REPO_ROOT, file)}: addMetric`);
      for (const match of text.matchAll(/\bcount(?:By)?\(\s*metrics,\s*([^,)]+)/g))
        if (!/^(?:[^'"`]*METRIC\.\w+[^'"`]*)$/.test(match[1] as string))
          stray.push(`${relative(REPO_ROOT, file)}: ${match[0]}`);
    }
    expect(stray).toEqual([]);
    // Every metric declared is emitted somewhere: a declared metric nobody emits is a dashboard
    // series that can never show anything.
    const emitted = emittedInCode();
    expect(Object.keys(METRICS).filter((m) => !emitted.has(m as MetricName))).toEqual([]);
  });

  it('each function logs, traces and counts under its own service name (tourniquet-<function>)', () => {
    const functions = of('aws:lambda/function:Function');
    expect(functions.length).toBeGreaterThan(0);
    const byLength = [...FUNCTION_NAMES].sort((a, b) => b.length - a.length);
    for (const fn of functions) {
      const name = byLength.find((n) => fn.inputs.name.startsWith(`tourniquet-test-${n}`));
      expect(fn.inputs.environment.variables.POWERTOOLS_SERVICE_NAME).toBe(
        serviceNameOf(name as string),
      );
    }
    const names = new Set(
      functions.map((f) => f.inputs.environment.variables.POWERTOOLS_SERVICE_NAME),
    );
    expect(names.has('tourniquet-triage')).toBe(true);
    expect(names.has('tourniquet-isolate-pod')).toBe(true);
  });
});

describe('Observability: what the code emits is what the dashboard searches', () => {
  const published: any[] = [];
  const saved = { ...process.env };

  beforeAll(() => {
    // Emitting on: the EMF documents are captured instead of printed.
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    vi.spyOn(Metrics.prototype, 'publishStoredMetrics').mockImplementation(function (
      this: Metrics,
    ) {
      if (this.hasStoredMetrics()) published.push(this.serializeMetrics());
      this.clearMetrics();
      this.clearDimensions();
      return this;
    });
  });

  afterAll(() => {
    vi.restoreAllMocks();
    process.env = { ...saved };
  });

  afterEach(() => {
    published.length = 0;
  });

  const emfOf = (document: any) => {
    const directive = document._aws.CloudWatchMetrics[0];
    return {
      namespace: directive.Namespace,
      metric: directive.Metrics[0].Name,
      dimensions: directive.Dimensions[0],
      values: Object.fromEntries(directive.Dimensions[0].map((d: string) => [d, document[d]])),
    };
  };

  it.each(
    Object.entries(METRICS)
      .filter(([, spec]) => spec.dimensions.length > 0)
      .map(([name]) => name as DimensionedMetric),
  )('%s is emitted with service and its own dimensions, on its own', (metric) => {
    const metrics = new Metrics({
      namespace: METRIC_NAMESPACE,
      serviceName: serviceNameOf('triage'),
    });
    metrics.addMetric('Unrelated', 'Count', 1);
    const dimensions = Object.fromEntries(
      METRICS[metric].dimensions.map((d) => [d, `v-${d}`]),
    ) as never;
    countBy(metrics, metric, dimensions);
    expect(published.map(emfOf)).toEqual([
      {
        namespace: METRIC_NAMESPACE,
        metric,
        dimensions: [SERVICE_DIMENSION, ...METRICS[metric].dimensions],
        values: {
          service: 'tourniquet-triage',
          ...Object.fromEntries(METRICS[metric].dimensions.map((d) => [d, `v-${d}`])),
        },
      },
    ]);
  });

  it('the escalate function counts an expired approval as an escalation and a decision', async () => {
    process.env.POWERTOOLS_SERVICE_NAME = serviceNameOf('escalate');
    vi.resetModules();
    const { createEscalateHandler } = await import('../functions/lib/ticketHandlers');
    const handler = createEscalateHandler({
      escalate: async () => ({ paged: true }),
    } as never);
    await handler({ incidentKey: 'k', reason: 'approval-expired' }, {
      functionName: 'tourniquet-test-escalate',
      awsRequestId: 'r',
      getRemainingTimeInMillis: () => 1000,
    } as unknown as Context);
    const seen = published.map(emfOf);
    expect(seen).toContainEqual({
      namespace: METRIC_NAMESPACE,
      metric: 'Escalations',
      dimensions: ['service', 'reason'],
      values: { service: 'tourniquet-escalate', reason: 'approval-expired' },
    });
    expect(seen).toContainEqual({
      namespace: METRIC_NAMESPACE,
      metric: 'ApprovalsDecided',
      dimensions: ['service', 'decision'],
      values: { service: 'tourniquet-escalate', decision: 'expired' },
    });
  });
});
