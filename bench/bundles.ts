import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../test/helpers/events';
import { type BenchRow, percentile } from './stats';

const INIT_RUNS = Number(process.env.BENCH_INIT_RUNS ?? 20);
const OUT = join(REPO_ROOT, '.build', 'bench');

/** Every Lambda entry point: functions/*.ts and functions/actions/*.ts. */
function entries(): string[] {
  const top = readdirSync(join(REPO_ROOT, 'functions'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `functions/${f}`);
  const actions = readdirSync(join(REPO_ROOT, 'functions/actions'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `functions/actions/${f}`);
  return [...top, ...actions];
}

/** Environment a cold start sees (what infra/ sets). */
const ENV = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  TOURNIQUET_CONFIG: '{}',
  PLAYBOOK_STATE_MACHINES: '{"contain-pod":"arn:aws:states:us-east-1:111122223333:stateMachine:x"}',
  INCIDENTS_TABLE: 'incidents',
  APPROVALS_TABLE: 'approvals',
  TOURNIQUET_APPROVALS: JSON.stringify({
    slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserIds: ['U0ONCALL001'] },
  }),
  SLACK_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:tourniquet/prod/slack',
  TICKET_SETTINGS: '{"sinks":[]}',
};

/**
 * Each function bundled as SST would (esbuild, ESM, minified, node22), its size, and its cold
 * init: a fresh Node process importing the bundle, median of INIT_RUNS.
 */
export async function benchBundles(): Promise<BenchRow[]> {
  mkdirSync(OUT, { recursive: true });
  const rows: BenchRow[] = [];
  for (const entry of entries()) {
    const name = entry
      .replace(/^functions\//, '')
      .replace(/\.ts$/, '')
      .replace('/', '-');
    const outfile = join(OUT, `${name}.mjs`);
    await build({
      entryPoints: [join(REPO_ROOT, entry)],
      outfile,
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    const size = statSync(outfile).size;
    const inits: number[] = [];
    for (let i = 0; i < INIT_RUNS; i++) {
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import(${JSON.stringify(outfile)}); process.stdout.write(String(performance.now() - t));`,
        ],
        { env: ENV, encoding: 'utf8' },
      );
      if (child.status !== 0) throw new Error(`${entry}: cold init failed: ${child.stderr}`);
      inits.push(Number(child.stdout));
    }
    rows.push({
      name: `bundle ${name}`,
      value: Math.round((size / 1024) * 10) / 10,
      unit: 'KiB',
      target: '< 1024',
      note: `cold init p50 ${Math.round(percentile(inits, 50))} ms (target < 150)`,
    });
  }
  return rows;
}
