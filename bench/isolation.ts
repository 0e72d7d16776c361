import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAction } from '@tourniquet/actions';
import { parseConfig } from '@tourniquet/core';
import { LocalWorld } from '@tourniquet/testkit';
import { REPO_ROOT } from '../test/helpers/events';
import { isolatePodTripRows } from './isolateTrips';
import { ROW } from './rowNames';
import { type BenchRow, percentile } from './stats';
import { type TimedCall, tripDepth } from './tripDepth';

const RUNS = Number(process.env.BENCH_ISOLATION_RUNS ?? 25);
const POD = {
  kind: 'pod',
  namespace: 'payments',
  name: 'payments-api-7d9f8b6c5-x2kqp',
  uid: null,
} as const;

interface Call extends TimedCall {
  /** Issues the same request again (same client, same input), for the back-to-back baseline. */
  again: () => Promise<unknown>;
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

/** Records every request an SDK client sends (the SDK middleware of the call recorder). */
function recordSdk(client: unknown, prefix: string, calls: Call[]): void {
  const stack = (client as { middlewareStack?: { add: (m: unknown, o: unknown) => void } })
    .middlewareStack;
  if (!stack) return;
  stack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: object }) => {
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          calls.push({
            name: `${prefix}:${context.commandName ?? ''}`,
            start,
            end: performance.now(),
            // Re-sent through the handler stack below this middleware: the SDK's own cost only.
            again: () => next({ ...args, input: structuredClone(args.input) }),
          });
        }
      },
    { step: 'initialize', name: 'benchCallRecorder' },
  );
}

/**
 * Plan ready → pod isolated, against moto and the Kubernetes simulator. Run 0 is the cold one
 * (fresh clients, the per-VPC allow-all group created); the others are warm. Every AWS SDK
 * request, Kubernetes call and journal write is recorded with its start and end, which gives the
 * round trips on the critical path; the baseline re-issues the same calls one after another
 * from the bench (same clients, same inputs, same process) with no action code in between.
 */
export async function benchIsolation(): Promise<BenchRow[]> {
  const config = parseConfig(
    JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
  );
  const world = await LocalWorld.start({ config });
  try {
    const calls: Call[] = [];
    const clients = world.aws('us-east-1') as unknown as Record<string, unknown>;
    for (const [name, client] of Object.entries(clients)) recordSdk(client, name, calls);
    const isolate = getAction('isolate-pod');
    const warmTrips: number[] = [];
    const ratios: number[] = [];
    const durations: number[] = [];
    const baselines: number[] = [];
    let coldTrips = 0;
    let callCount = 0;
    for (let i = 0; i <= RUNS; i++) {
      const base = world.context({ incidentKey: `bench:${i}`, clusterName: 'prod-eks-01' });
      const kube = timed(await base.kube(), 'kube', calls);
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
      const recorded = [...calls];
      if (i === 0) coldTrips = tripDepth(recorded);
      else {
        warmTrips.push(tripDepth(recorded));
        durations.push(elapsed);
        callCount = recorded.length;
      }
      await isolate.undo(ctx);
      if (i > 0) {
        // After the undo, so the re-issued calls change what apply changed; in apply's order.
        const ordered = recorded.sort((a, b) => a.start - b.start);
        const t = performance.now();
        for (const call of ordered) await call.again().catch(() => undefined);
        const baseline = performance.now() - t;
        baselines.push(baseline);
        ratios.push(elapsed / baseline);
        await isolate.undo(ctx);
      }
    }
    return [
      // To the swap (the measure, the same count test/isolatePodTrips.test.ts asserts):
      // what stands between a plan and the pod cut off.
      ...(await isolatePodTripRows()),
      // The whole apply, the journal's after-state and the NetworkPolicy after the swap included.
      {
        name: 'isolate-pod whole apply trips cold',
        value: coldTrips,
        unit: 'trips',
        note: 'first apply in a VPC: fresh clients, the allow-all group created; every call of the apply, not only those before the swap',
      },
      {
        name: 'isolate-pod whole apply trips warm',
        value: percentile(warmTrips, 50),
        unit: 'trips',
        note: `p50 of ${RUNS} runs; ${callCount} calls in all (SDK, Kubernetes, journal); overlapping calls count once`,
      },
      {
        name: 'isolate-pod plan ready → isolated p50',
        value: round(percentile(durations, 50)),
        unit: 'ms',
        note: `${RUNS} runs, moto + Kubernetes simulator; p95 ${round(percentile(durations, 95))} ms`,
      },
      {
        name: ROW.isolateApplyOverBackToBack,
        value: Math.round(percentile(ratios, 50) * 100) / 100,
        unit: '×',
        target: '≤ 1.1',
        note: `p50; baseline p50 ${round(percentile(baselines, 50))} ms: the same calls re-issued one after another by the bench (same clients and inputs, no action code); below 1 where apply overlaps calls`,
      },
    ];
  } finally {
    await world.stop();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
