import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPlanner, normaliseEvent, parseConfig } from '@tourniquet/core';
import { allEventFiles, EVENTS_DIR, REPO_ROOT } from '../test/helpers/events';
import { ROW } from './rowNames';
import { type BenchRow, percentile } from './stats';

const EVENTS = Number(process.env.BENCH_PLAN_EVENTS ?? 20_000);
const WARMUP = 2_000;

/**
 * Plan throughput on one core: normalise + plan over the bundled samples, cycled to EVENTS
 * events. Per-event latency is timed individually for the percentiles; throughput is timed over
 * the whole run without the per-event clock reads.
 */
export function benchPlan(): BenchRow[] {
  const config = parseConfig(
    JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
  );
  const planner = createPlanner(config);
  const texts = allEventFiles().map((f) => readFileSync(join(EVENTS_DIR, f), 'utf8'));
  const events = texts.map((t) => JSON.parse(t));
  const run = (i: number) => planner.plan(normaliseEvent(events[i % events.length]));

  for (let i = 0; i < WARMUP; i++) run(i);

  const latencies = new Array<number>(EVENTS);
  for (let i = 0; i < EVENTS; i++) {
    const start = process.hrtime.bigint();
    run(i);
    latencies[i] = Number(process.hrtime.bigint() - start) / 1e3;
  }

  // CPU time, not wall time: on a shared machine other work would otherwise be counted as ours.
  const cpu = process.cpuUsage();
  for (let i = 0; i < EVENTS; i++) run(i);
  const used = process.cpuUsage(cpu);
  const planSeconds = (used.user + used.system) / 1e6;

  let start = process.hrtime.bigint();

  start = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++)
    planner.plan(normaliseEvent(JSON.parse(texts[i % texts.length] as string)));
  const withParseSeconds = Number(process.hrtime.bigint() - start) / 1e9;

  return [
    {
      name: ROW.planEventsPerSecond,
      value: Math.round(EVENTS / planSeconds),
      unit: 'events/s',
      target: '≥ 150000',
      note: 'normalise + plan on one core (CPU time), events already parsed',
    },
    {
      name: 'plan throughput incl. JSON.parse',
      value: Math.round(EVENTS / withParseSeconds),
      unit: 'events/s',
    },
    { name: 'plan latency p50', value: round(percentile(latencies, 50)), unit: 'µs' },
    { name: 'plan latency p99', value: round(percentile(latencies, 99)), unit: 'µs' },
    {
      name: 'plan events measured',
      value: EVENTS,
      unit: 'events',
      note: `${events.length} distinct samples, cycled`,
    },
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
