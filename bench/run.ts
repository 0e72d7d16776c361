import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/helpers/events';
import { benchBundles } from './bundles';
import { benchIsolation } from './isolation';
import { benchBurst, benchConflict, benchLoad } from './load';
import { benchPlan } from './plan';
import { benchReplay } from './playbooks';
import { recordSuite } from './results';
import { benchSlack } from './slack';
import type { BenchRow } from './stats';

// Development runs on Node 20; Lambda runs Node 22. The SDK's Node 20 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ONLY = process.env.BENCH_ONLY?.split(',');

const SUITES: ReadonlyArray<{ name: string; run: () => BenchRow[] | Promise<BenchRow[]> }> = [
  { name: 'plan', run: benchPlan },
  { name: 'isolation', run: benchIsolation },
  { name: 'replay', run: benchReplay },
  { name: 'burst', run: benchBurst },
  { name: 'load', run: benchLoad },
  { name: 'conflict', run: benchConflict },
  { name: 'slack', run: benchSlack },
  { name: 'bundles', run: benchBundles },
];

async function main(): Promise<void> {
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  const order = SUITES.map((s) => s.name);
  const rows: BenchRow[] = [];
  let status = 'partial';
  for (const suite of SUITES.filter((s) => !ONLY || ONLY.includes(s.name))) {
    process.stderr.write(`bench: running ${suite.name}…\n`);
    const started = performance.now();
    const suiteRows = await suite.run();
    rows.push(...suiteRows);
    // Written now, not at the end: a run killed in a later suite keeps this one's rows.
    const results = recordSuite(file, order, suite.name, suiteRows, {
      measuredAt: new Date().toISOString(),
      machine,
    });
    status =
      results.status === 'complete' ? 'complete' : `partial, missing ${results.missing.join(', ')}`;
    process.stderr.write(
      `bench: ${suite.name} done in ${Math.round((performance.now() - started) / 1000)} s; bench/results/latest.json ${status}\n`,
    );
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`Tourniquet benchmarks: ${new Date().toISOString()}\n${machine}\n\n`);
  for (const row of rows) {
    const target = row.target ? `  (target ${row.target})` : '';
    const note = row.note ? `  ${row.note}` : '';
    process.stdout.write(
      `${row.name.padEnd(width)}  ${String(row.value).padStart(10)} ${row.unit}${target}${note}\n`,
    );
  }
  process.stdout.write(`\nwritten: bench/results/latest.json (${status})\n`);
}

await main();
