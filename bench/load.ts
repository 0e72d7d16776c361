import { loadRun } from '../test/helpers/loadRun';
import type { BenchRow } from './stats';

const FINDINGS = Number(process.env.BENCH_LOAD_FINDINGS ?? 10_000);
const PODS = Number(process.env.BENCH_LOAD_PODS ?? 500);
const CAP = Number(process.env.BENCH_LOAD_CAP ?? 450);

/**
 * 10,000 findings over 500 pods in one burst through triage as deployed: blast-radius ledger,
 * DynamoDB incident store and Step Functions starter, all on moto. Each pod's findings come in
 * a row, so the 50 in flight share pods and race on the same incidents.
 */
export async function benchLoad(): Promise<BenchRow[]> {
  const run = await loadRun({ findings: FINDINGS, pods: PODS, maxPodsPerHour: CAP });
  const executions = Object.values(run.executionsByPlaybook).reduce((a, b) => a + b, 0);
  return [
    {
      name: 'load: findings / pods',
      value: run.findings,
      unit: 'findings',
      note: `${run.pods} pods, ${Math.floor(run.findings / run.pods)} in a row per pod, one burst, 50 concurrent`,
    },
    { name: 'load: incidents', value: run.incidents, unit: 'incidents', target: `= ${PODS}` },
    { name: 'load: failed findings', value: run.failed, unit: 'findings', target: '= 0' },
    {
      name: 'load: executions',
      value: executions,
      unit: 'executions',
      target: `= ${PODS}`,
      note: `${run.executionsByPlaybook['contain-pod']} contain-pod, ${run.executionsByPlaybook['ticket-only']} ticket-only (cap ${CAP}/h: ${run.capped} capped and paged)`,
    },
    {
      name: 'load: triage throughput',
      value: Math.round(run.findings / run.seconds),
      unit: 'findings/s',
      note: 'against moto, one process serialising every request: a floor, not DynamoDB',
    },
    {
      name: 'load: ledger writes per finding',
      value: Math.round((run.dynamoCalls / run.findings) * 100) / 100,
      unit: 'writes',
      note: 'blast-radius ledger (conditional UpdateItem, DynamoDB on moto)',
    },
    {
      name: 'load: incident store writes per finding',
      value: Math.round((run.storeWrites / run.findings) * 100) / 100,
      unit: 'writes',
      target: '≤ 3',
      note: `DynamoDB requests incl. conflict retries (${Math.round((run.storeReads / run.findings) * 100) / 100} reads/finding); ${run.recordedFindings} findings on ${run.storedIncidents} incidents`,
    },
    {
      name: 'load: StartExecution calls per finding',
      value: Math.round((run.sfnCalls / run.findings) * 100) / 100,
      unit: 'calls',
      note: 'the de-duplicating write',
    },
  ];
}
