import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsPlaybookStarter } from '@tourniquet/aws';
import { readEventInputs } from '@tourniquet/cli';
import {
  createPlanner,
  normaliseEvent,
  PLAYBOOK_NAMES,
  parseConfig,
  triage,
} from '@tourniquet/core';
import {
  approveAll,
  LOCAL_CREDENTIALS,
  type ReplayRecord,
  replay,
  startMoto,
} from '@tourniquet/testkit';
import { loadEvent, REPO_ROOT } from '../test/helpers/events';
import { type BenchRow, percentile } from './stats';

const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 20);
const BURST = Number(process.env.BENCH_BURST ?? 1000);
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

/**
 * A burst of duplicate findings for one pod through triage with the real Step Functions starter
 * (moto): the execution name makes StartExecution the de-duplication point.
 */
export async function benchBurst(): Promise<BenchRow[]> {
  const moto = await startMoto({ accountId: '111122223333' });
  try {
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const stateMachines: Record<string, string> = {};
    for (const name of PLAYBOOK_NAMES) {
      const { stateMachineArn } = await sfn.send(
        new CreateStateMachineCommand({
          name: `tourniquet-${name}`,
          roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
          definition: JSON.stringify({
            StartAt: 'Wait',
            States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } },
          }),
        }),
      );
      stateMachines[name] = stateMachineArn as string;
    }
    let calls = 0;
    sfn.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const starter = new StepFunctionsPlaybookStarter({ client: sfn, stateMachines });
    const planner = createPlanner(config());
    const event = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    normaliseEvent(event);
    const at = new Date();
    const start = performance.now();
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        triage(
          {
            ...event,
            id: `burst-${i}`,
            detail: { ...event.detail, service: { ...event.detail.service, count: i + 1 } },
          },
          planner,
          starter,
          at,
        ),
      ),
    );
    const seconds = (performance.now() - start) / 1000;
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stateMachines['contain-pod'] }),
    );
    const started = results.filter((r) => r.execution?.status === 'started').length;
    return [
      { name: 'burst: duplicate findings for one pod', value: BURST, unit: 'findings' },
      {
        name: 'burst: executions started',
        value: executions.length,
        unit: 'executions',
        target: '= 1',
        note: `${started} reported started`,
      },
      {
        name: 'burst: StartExecution calls (store writes)',
        value: calls - 1,
        unit: 'calls',
        note: 'the de-duplicating write alone (incident recording: see the load rows)',
      },
      {
        name: 'burst: triage throughput',
        value: Math.round(BURST / seconds),
        unit: 'findings/s',
        note: 'against moto',
      },
    ];
  } finally {
    await moto.stop();
  }
}
