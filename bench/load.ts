import { type LoadProgress, type LoadResult, loadRun } from '../test/helpers/loadRun';
import { ROW } from './rowNames';
import type { BenchRow } from './stats';

const BURST = Number(process.env.BENCH_BURST ?? 1000);
const FINDINGS = Number(process.env.BENCH_LOAD_FINDINGS ?? 10_000);
const PODS = Number(process.env.BENCH_LOAD_PODS ?? 500);
const CAP = Number(process.env.BENCH_LOAD_CAP ?? 450);
const CONFLICT_FINDINGS = Number(process.env.BENCH_CONFLICT_FINDINGS ?? 1000);
const CONFLICT_RATE = Number(process.env.BENCH_CONFLICT_RATE ?? 0.1);

const perFinding = (count: number, run: LoadResult) =>
  Math.round((count / run.findings) * 1000) / 1000;

/** Every few seconds on stderr: how many findings are done, and at what rate overall and lately. */
function progressPrinter(suite: string): (progress: LoadProgress) => void {
  let last = { done: 0, seconds: 0 };
  return ({ done, failed, findings, seconds }) => {
    const overall = done / Math.max(seconds, 0.001);
    const lately = (done - last.done) / Math.max(seconds - last.seconds, 0.001);
    last = { done, seconds };
    process.stderr.write(
      `bench: ${suite}: ${done}/${findings} findings in ${Math.round(seconds)} s, ${overall.toFixed(1)} findings/s (${lately.toFixed(1)} lately), ${failed} failed\n`,
    );
  };
}

/** The requests of a run by command, slowest in total first, on stderr. */
function printRequests(suite: string, run: LoadResult): void {
  const kinds = Object.entries(run.requests).sort(([, a], [, b]) => b.ms - a.ms);
  for (const [command, { count, ms }] of kinds) {
    process.stderr.write(
      `bench: ${suite}: ${command.replace(/Command$/, '')} ×${count} (${(count / run.findings).toFixed(2)} per finding), ${(ms / count).toFixed(1)} ms each\n`,
    );
  }
}

const MOTO_NOTE = 'against moto, one process serialising every request: a floor, not DynamoDB';

/** Store traffic per finding: DynamoDB requests of the incident store (its retries included). */
function storeRows(prefix: 'burst' | 'load' | 'conflict', run: LoadResult): BenchRow[] {
  return [
    {
      name: `${prefix} writes per finding`,
      value: perFinding(run.storeWrites, run),
      unit: 'writes',
      target: prefix === 'conflict' ? undefined : '≤ 3',
      note: `incident store on DynamoDB (moto), retries included; ${run.recordedFindings} deliveries recorded on ${run.storedIncidents} incidents; the blast-radius ledger adds ${perFinding(run.dynamoCalls, run)}`,
    },
    {
      name: `${prefix} reads per finding`,
      value: perFinding(run.storeReads, run),
      unit: 'reads',
    },
  ];
}

/**
 * 1,000 findings on one pod in one burst, 50 in flight, through triage as deployed: blast-radius
 * ledger, DynamoDB incident store and Step Functions starter, all on moto. The first finding
 * claims the execution in the incident's conditional write; the others join it without calling
 * StartExecution.
 */
export async function benchBurst(): Promise<BenchRow[]> {
  const run = await loadRun({
    findings: BURST,
    pods: 1,
    maxPodsPerHour: 10,
    progress: progressPrinter('burst'),
  });
  printRequests('burst', run);
  const executions = Object.values(run.executionsByPlaybook).reduce((a, b) => a + b, 0);
  return [
    ...storeRows('burst', run),
    {
      name: ROW.burstFailures,
      value: run.failed,
      unit: 'findings',
      target: '= 0',
      note: `${run.findings} findings on one pod, 50 in flight`,
    },
    {
      name: ROW.burstStartExecutionPerFinding,
      value: perFinding(run.sfnCalls, run),
      unit: 'calls',
      note: `${run.sfnCalls} StartExecution calls, ${executions} execution(s) started`,
    },
    {
      name: 'burst findings/s',
      value: Math.round(run.findings / run.seconds),
      unit: 'findings/s',
      note: MOTO_NOTE,
    },
  ];
}

/**
 * 10,000 findings over 500 pods in one burst through triage as deployed. Each pod's findings
 * come in a row, so the 50 in flight share pods and race on the same incidents.
 */
export async function benchLoad(): Promise<BenchRow[]> {
  const run = await loadRun({
    findings: FINDINGS,
    pods: PODS,
    maxPodsPerHour: CAP,
    progress: progressPrinter('load'),
  });
  printRequests('load', run);
  const executions = Object.values(run.executionsByPlaybook).reduce((a, b) => a + b, 0);
  return [
    {
      name: ROW.loadFindingsPerSecond,
      value: Math.round(run.findings / run.seconds),
      unit: 'findings/s',
      note: `${run.findings} findings over ${run.pods} pods, ${Math.floor(run.findings / run.pods)} in a row per pod, 50 in flight; ${MOTO_NOTE}`,
    },
    { name: ROW.loadFailures, value: run.failed, unit: 'findings', target: '= 0' },
    { name: 'load incidents', value: run.incidents, unit: 'incidents', target: `= ${PODS}` },
    {
      name: 'load executions',
      value: executions,
      unit: 'executions',
      target: `= ${PODS}`,
      note: `${run.executionsByPlaybook['contain-pod']} contain-pod, ${run.executionsByPlaybook['ticket-only']} ticket-only (cap ${CAP}/h: ${run.capped} capped and paged)`,
    },
    ...storeRows('load', run),
    {
      name: 'load StartExecution per finding',
      value: perFinding(run.sfnCalls, run),
      unit: 'calls',
    },
  ];
}

/**
 * The burst again with a share of the incident store's writes answered as DynamoDB answers
 * concurrent transactions on one item (TransactionCanceledException with TransactionConflict,
 * TransactionConflictException), injected by the fault proxy in front of moto.
 */
export async function benchConflict(): Promise<BenchRow[]> {
  const run = await loadRun({
    findings: CONFLICT_FINDINGS,
    pods: 1,
    maxPodsPerHour: 10,
    conflictRate: CONFLICT_RATE,
    progress: progressPrinter('conflict'),
  });
  printRequests('conflict', run);
  return [
    {
      name: ROW.conflictFailures,
      value: run.failed,
      unit: 'findings',
      target: '= 0',
      note: `${run.findings} findings on one pod; ${run.conflictsInjected} store writes answered with a transaction conflict (drawn for ${Math.round(CONFLICT_RATE * 100)}% of requests; only writes can conflict)`,
    },
    {
      name: ROW.conflictFindingsPerSecond,
      value: Math.round(run.findings / run.seconds),
      unit: 'findings/s',
      note: MOTO_NOTE,
    },
    ...storeRows('conflict', run),
  ];
}
