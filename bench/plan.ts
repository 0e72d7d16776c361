import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPlanner, normaliseEvent, parseConfig } from '@tourniquet/core';
import { allEventFiles, EVENTS_DIR, REPO_ROOT } from '../test/helpers/events';
import { ROW } from './rowNames';
import { type BenchRow, percentile } from './stats';

const EVENTS = Number(process.env.BENCH_PLAN_EVENTS ?? 100_000);
// Long enough for V8 to optimise every path the samples take (a few thousand events left the
// normalisers half-compiled, and the number then measured the JIT as much as the code).
const WARMUP = Number(process.env.BENCH_PLAN_WARMUP ?? 20_000);
const ROUNDS = 5;
const ROUND = Math.ceil(EVENTS / ROUNDS);

/**
 * Plan throughput on one core: normalise + plan over the bundled samples, cycled to EVENTS
 * events after WARMUP of them unmeasured. Per-event latency is timed individually for the
 * percentiles; throughput is timed per round of EVENTS / ROUNDS events without the per-event
 * clock reads.
 */
export function benchPlan(): BenchRow[] {
  const config = parseConfig(
    JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
  );
  const planner = createPlanner(config);
  const texts = allEventFiles().map((f) => readFileSync(join(EVENTS_DIR, f), 'utf8'));
  const events = texts.map((t) => JSON.parse(t));
  const run = (i: number) => planner.plan(normaliseEvent(events[i % events.length]));
  const runWithParse = (i: number) =>
    planner.plan(normaliseEvent(JSON.parse(texts[i % texts.length] as string)));

  for (let i = 0; i < WARMUP; i++) run(i);
  for (let i = 0; i < WARMUP; i++) runWithParse(i);

  const latencies = new Array<number>(EVENTS);
  for (let i = 0; i < EVENTS; i++) {
    const start = process.hrtime.bigint();
    run(i);
    latencies[i] = Number(process.hrtime.bigint() - start) / 1e3;
  }

  const planSeconds = medianRoundSeconds(run);
  const withParseSeconds = medianRoundSeconds(runWithParse);

  return [
    {
      name: ROW.planEventsPerSecond,
      value: Math.round(ROUND / planSeconds),
      unit: 'events/s',
      target: '≥ 150000',
      note: `normalise + plan on one core (CPU time, median of ${ROUNDS} rounds), events already parsed`,
    },
    {
      name: 'plan throughput incl. JSON.parse',
      value: Math.round(ROUND / withParseSeconds),
      unit: 'events/s',
      note: 'the same, from the event text',
    },
    { name: 'plan latency p50', value: round(percentile(latencies, 50)), unit: 'µs' },
    { name: 'plan latency p99', value: round(percentile(latencies, 99)), unit: 'µs' },
    {
      name: 'plan events measured',
      value: EVENTS,
      unit: 'events',
      note: `${events.length} distinct samples, cycled, after ${WARMUP} unmeasured`,
    },
  ];
}

/**
 * CPU seconds of one round of ROUND events, the median of ROUNDS rounds. CPU time, not wall
 * time: on a shared machine other work would otherwise be counted as ours; the median, because
 * that work still slows a round it shares the core's caches with, and one such round would
 * otherwise decide the number.
 */
function medianRoundSeconds(run: (i: number) => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = r * ROUND; i < (r + 1) * ROUND; i++) run(i);
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / 1e6);
  }
  return percentile(rounds, 50);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
