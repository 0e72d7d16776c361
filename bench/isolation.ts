import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAction } from '@tourniquet/actions';
import { parseConfig } from '@tourniquet/core';
import { LocalWorld } from '@tourniquet/testkit';
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
  /** Issues the same request again (same client, same input), for the back-to-back baseline. */
  again: () => Promise<unknown>;
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
  return chainOf(calls, weight).reduce((sum, call) => sum + weight(call), 0);
}

/** The calls of the longest chain (by `weight`), in order. */
export function chainOf(calls: readonly Call[], weight: (call: Call) => number): Call[] {
  const sorted = [...calls].sort((a, b) => a.end - b.end);
  const best = new Map<Call, { total: number; previous: Call | null }>();
  for (const call of sorted) {
    let before: { total: number; previous: Call | null } = { total: 0, previous: null };
    for (const other of sorted) {
      const b = best.get(other);
      if (other.end <= call.start && b && b.total > before.total)
        before = { total: b.total, previous: other };
    }
    best.set(call, { total: before.total + weight(call), previous: before.previous });
  }
  let last: Call | null = null;
  for (const [call, b] of best) if (!last || b.total > (best.get(last)?.total ?? 0)) last = call;
  const chain: Call[] = [];
  for (let c = last; c; c = best.get(c)?.previous ?? null) chain.unshift(c);
  return chain;
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
          calls.push({
            name: `${prefix}:${String(property)}`,
            start,
            end: performance.now(),
            again: () => value.apply(target, args),
          });
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
          const input = (args as { input: object }).input;
          const Command = (context as { commandName?: string }).commandName ?? '';
          calls.push({
            name: `ec2:${Command}`,
            start,
            end: performance.now(),
            // Re-sent through the handler stack below this middleware: the SDK's own cost only.
            again: () => next({ ...args, input: structuredClone(input) }),
          });
        }
      },
      { step: 'initialize', name: 'benchTiming' },
    );
    const isolate = getAction('isolate-pod');
    const durations: number[] = [];
    const ratios: number[] = [];
    const baselines: number[] = [];
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
      const chain = chainOf(calls, (c) => c.end - c.start);
      if (i > 0) {
        durations.push(elapsed);
        roundTrips = criticalPath(calls);
        callCount = calls.length;
      }
      await isolate.undo(ctx);
      if (i > 0) {
        // The baseline: the critical path's requests issued again, back to back, with nothing
        // of ours in between (after the undo, so they change what apply changed).
        const t = performance.now();
        for (const call of chain) await call.again().catch(() => undefined);
        const baseline = performance.now() - t;
        baselines.push(baseline);
        ratios.push(elapsed / baseline);
        await isolate.undo(ctx);
      }
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
        name: 'isolate-pod: apply / same calls back to back',
        value: Math.round(percentile(ratios, 50) * 100) / 100,
        unit: '×',
        target: '≤ 1.1',
        note: `p50; baseline p50 ${round(percentile(baselines, 50))} ms: the critical path's requests re-sent in a row by the bench (same clients and inputs, no action code)`,
      },
    ];
  } finally {
    await world.stop();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
