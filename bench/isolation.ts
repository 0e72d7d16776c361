import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAction } from '@tourniquet/actions';
import { parseConfig } from '@tourniquet/core';
import { LocalWorld } from '@tourniquet/local';
import { REPO_ROOT } from '../test/helpers/events';
import { type BenchRow, percentile } from './stats';

const RUNS = Number(process.env.BENCH_ISOLATION_RUNS ?? 25);
const POD = {
  kind: 'pod',
  namespace: 'payments',
  name: 'payments-api-7d9f8b6c5-x2kqp',
  uid: null,
} as const;

interface Call {
  name: string;
  start: number;
  end: number;
}

/**
 * Longest chain of calls where each starts after the previous ended: the number of
 * sequential round trips on the critical path (parallel calls count once).
 */
export function criticalPath(calls: readonly Call[]): number {
  return longestChain(calls, () => 1);
}

/** Time spent inside API calls along the longest chain: the floor any implementation pays. */
export function criticalPathMs(calls: readonly Call[]): number {
  return longestChain(calls, (c) => c.end - c.start);
}

function longestChain(calls: readonly Call[], weight: (call: Call) => number): number {
  const sorted = [...calls].sort((a, b) => a.end - b.end);
  const best = new Map<Call, number>();
  for (const call of sorted) {
    let before = 0;
    for (const other of sorted) {
      if (other.end <= call.start) before = Math.max(before, best.get(other) ?? 0);
    }
    best.set(call, before + weight(call));
  }
  return Math.max(0, ...best.values());
}

/** Times every method call of a client (the Kubernetes adapter, the step journal). */
function timed<T extends object>(client: T, prefix: string, calls: Call[]): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const start = performance.now();
        try {
          return await value.apply(target, args);
        } finally {
          calls.push({ name: `${prefix}:${String(property)}`, start, end: performance.now() });
        }
      };
    },
  });
}

/** Plan ready → pod isolated, against moto and the Kubernetes simulator. */
export async function benchIsolation(): Promise<BenchRow[]> {
  const config = parseConfig(
    JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
  );
  const world = await LocalWorld.start({ config });
  try {
    const calls: Call[] = [];
    const ec2 = world.aws('us-east-1').ec2;
    ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          calls.push({ name: `ec2:${context.commandName}`, start, end: performance.now() });
        }
      },
      { step: 'initialize', name: 'benchTiming' },
    );
    const isolate = getAction('isolate-pod');
    const durations: number[] = [];
    const ratios: number[] = [];
    let roundTrips = 0;
    let callCount = 0;
    for (let i = 0; i <= RUNS; i++) {
      const base = world.context({ incidentKey: `bench:${i}`, clusterName: 'prod-eks-01' });
      const kube = timed(await base.kube(), 'kube', calls);
      // The journal write before the change is on the critical path too.
      const ctx = {
        ...base,
        kube: async () => kube,
        journal: timed(base.journal, 'journal', calls),
      };
      calls.length = 0;
      const start = performance.now();
      const outcome = await isolate.apply(ctx, POD);
      const elapsed = performance.now() - start;
      if (outcome.status !== 'applied')
        throw new Error(`isolate-pod did not apply: ${outcome.detail}`);
      // Run 0 creates the per-VPC allow-all group and warms the clients; it is not measured.
      if (i > 0) {
        durations.push(elapsed);
        ratios.push(elapsed / criticalPathMs(calls));
        roundTrips = criticalPath(calls);
        callCount = calls.length;
      }
      await isolate.undo(ctx);
    }
    return [
      {
        name: 'isolate-pod: sequential round trips',
        value: roundTrips,
        unit: 'trips',
        target: '≤ 5',
        note: `${callCount} API calls in all`,
      },
      {
        name: 'isolate-pod: plan ready → isolated p50',
        value: round(percentile(durations, 50)),
        unit: 'ms',
        note: `${RUNS} runs, moto + Kubernetes simulator`,
      },
      {
        name: 'isolate-pod: plan ready → isolated p95',
        value: round(percentile(durations, 95)),
        unit: 'ms',
      },
      {
        name: 'isolate-pod: elapsed / raw API time on the critical path',
        value: Math.round(percentile(ratios, 50) * 100) / 100,
        unit: '×',
        note: 'p50; 1.0 would mean no overhead of our own',
      },
    ];
  } finally {
    await world.stop();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
