import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEventInputs } from '@tourniquet/cli';
import { parseConfig } from '@tourniquet/core';
import { approveAll, type ReplayRecord, replay } from '@tourniquet/testkit';
import { REPO_ROOT } from '../test/helpers/events';
import { type BenchRow, percentile } from './stats';

const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 20);
const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';

const config = () =>
  parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')));

/**
 * Local pipeline latency (event → pod isolated) and the whole contain-pod playbook, over fresh
 * local replays (each one starts and seeds its own emulators; only the event's own time is
 * measured).
 */
export async function benchReplay(): Promise<BenchRow[]> {
  const containment: number[] = [];
  const playbook: number[] = [];
  const inputs = await readEventInputs([POD_FINDING], REPO_ROOT);
  for (let i = 0; i < REPLAYS; i++) {
    const records: ReplayRecord[] = [];
    await replay({
      inputs,
      config: config(),
      approver: approveAll,
      onRecord: (r) => records.push(r),
      onRejected: () => {},
    });
    const [record] = records;
    if (record?.status !== 'SUCCEEDED' || record.containmentMs === null)
      throw new Error(`replay ${i} did not contain the pod`);
    containment.push(record.containmentMs);
    playbook.push(record.durationMs);
  }
  return [
    {
      name: 'replay: local pipeline latency, event → pod isolated p50',
      value: percentile(containment, 50),
      unit: 'ms',
      note: `${REPLAYS} replays in one process against local emulators; not event → isolated in AWS (no GuardDuty delivery delay, no Lambda or Step Functions hops)`,
    },
    {
      name: 'replay: local pipeline latency, event → pod isolated p95',
      value: percentile(containment, 95),
      unit: 'ms',
    },
    {
      name: 'replay: whole contain-pod playbook p50',
      value: percentile(playbook, 50),
      unit: 'ms',
      note: 'approval answered at once',
    },
    { name: 'replay: whole contain-pod playbook p95', value: percentile(playbook, 95), unit: 'ms' },
  ];
}
