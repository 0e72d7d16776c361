import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';
import { bundleFunction, FUNCTION_BUILD } from '../infra/bundle';
import { entryOf } from '../infra/functionEntries';
import { FUNCTION_NAMES } from '../infra/permissions';
import { REPO_ROOT } from '../test/helpers/events';
import { functionRowName, ROW } from './rowNames';
import { type BenchRow, percentile } from './stats';

const INIT_RUNS = Number(process.env.BENCH_INIT_RUNS ?? 20);
const OUT = join(REPO_ROOT, '.build', 'bench');

/** Every Lambda infra/ deploys, by its entry file. */
function entries(): string[] {
  return FUNCTION_NAMES.map((name) => entryOf(name));
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

/** Time for a fresh Node process to import a bundle (running its module scope). */
function importTime(file: string, label: string): number {
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      // Importing the bundle runs its module scope, which constructs the handler (clients,
      // config, middy chain); a bundle without one is a broken function, not a fast one.
      `const t = performance.now(); const m = await import(${JSON.stringify(file)}); const ms = performance.now() - t; if (typeof m.handler !== 'function') throw new Error('no handler export'); process.stdout.write(String(ms));`,
    ],
    { env: ENV, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`${label}: cold init failed: ${child.stderr}`);
  return Number(child.stdout);
}

/**
 * Median cold init of a function and of its floor: what a Lambda cold start pays before the
 * first invocation. The two are measured in alternation, so a slower stretch of the machine
 * weighs on both and not on their ratio.
 */
function coldInits(file: string, floorFile: string, label: string) {
  const own: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    own.push(importTime(file, label));
    floor.push(importTime(floorFile, `${label} floor`));
  }
  const spread = (values: number[]) =>
    `${Math.round(percentile(values, 10))}–${Math.round(percentile(values, 90))} ms`;
  return {
    init: percentile(own, 50),
    floor: percentile(floor, 50),
    // How much the machine moved while measuring: p10–p90 of each.
    initSpread: spread(own),
    floorSpread: spread(floor),
  };
}

/**
 * The SDK client classes a function's cold start loads: its bundle, with our packages and every
 * other dependency bundled and only the AWS SDK left external, tree-shaken, so what remains are
 * the client classes some code of the function references (also those the workspace packages
 * build, such as STS for member accounts). What only a dynamic `import()` reaches goes to a chunk
 * (as in the deployed bundle) and is not counted: a cold start does not load it.
 */
export function sdkClientsOf(entry: string): Array<{ name: string; from: string }> {
  const { outputFiles } = buildSync({
    ...FUNCTION_BUILD,
    entryPoints: { probe: entry },
    minify: false,
    external: ['@aws-sdk/*'],
    splitting: true,
    write: false,
    outdir: join(OUT, 'probe'),
  });
  const text = outputFiles.find((f) => basename(f.path) === 'probe.js')?.text ?? '';
  const found = new Map<string, string>();
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/client-[\w-]+)"/g)) {
    for (const spec of (m[1] as string).split(',')) {
      const name = spec.trim().split(/\s+as\s+/)[0] as string;
      if (/^[A-Z]\w*Client$/.test(name)) found.set(name, m[2] as string);
    }
  }
  return [...found].map(([name, from]) => ({ name, from }));
}

/**
 * A function's floor: a bare handler constructing only the SDK clients the function uses,
 * bundled the same way. What is left above it is our code and its other dependencies.
 */
async function floorBundle(
  name: string,
  clients: Array<{ name: string; from: string }>,
): Promise<string> {
  const source = join(OUT, `floor-${name}.ts`);
  writeFileSync(
    source,
    `${clients.map((c) => `import { ${c.name} } from '${c.from}';`).join('\n')}
const clients = [${clients.map((c) => `new ${c.name}({})`).join(', ')}];
export const handler = async () => clients.length;
`,
  );
  const outfile = join(OUT, `floor-${name}.mjs`);
  await bundleFunction({ entry: source, outfile });
  return outfile;
}

/** The deployment package as Lambda receives it: index.mjs and its lazily loaded chunks, zipped. */
function zipSize(bundle: string, chunks: string[], name: string): number {
  const dir = join(OUT, `zip-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const zip = join(OUT, `${name}.zip`);
  rmSync(zip, { force: true });
  spawnSync('cp', [bundle, join(dir, 'index.mjs')]);
  for (const chunk of chunks) spawnSync('cp', [chunk, dir]);
  const zipped = spawnSync(
    'zip',
    ['-q', '-X', zip, 'index.mjs', ...chunks.map((c) => basename(c))],
    {
      cwd: dir,
    },
  );
  if (zipped.status !== 0) throw new Error(`zip failed for ${name}: ${zipped.stderr}`);
  return statSync(zip).size;
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/**
 * Each function bundled exactly as infra/ deploys it (infra/bundle.ts), with its size, its zip,
 * its cold init (a fresh Node process importing the bundle, median of INIT_RUNS) and that cold
 * init over its floor (the same SDK clients alone).
 */
export async function benchBundles(): Promise<BenchRow[]> {
  mkdirSync(OUT, { recursive: true });
  const rows: BenchRow[] = [];
  for (const entry of entries()) {
    const name = functionRowName(entry);
    const outfile = join(OUT, `${name}.mjs`);
    const { bytes, files } = await bundleFunction({ entry: join(REPO_ROOT, entry), outfile });
    const clients = sdkClientsOf(join(REPO_ROOT, entry));
    const floorFile = await floorBundle(name, clients);
    const { init, floor, initSpread, floorSpread } = coldInits(outfile, floorFile, entry);
    rows.push(
      { name: ROW.bundle(name), value: kib(bytes), unit: 'KiB', target: '≤ 1536' },
      {
        name: ROW.zip(name),
        value: kib(
          zipSize(
            outfile,
            files.filter((f) => f !== outfile),
            name,
          ),
        ),
        unit: 'KiB',
        target: '≤ 1024',
      },
      {
        name: ROW.coldInit(name),
        value: Math.round(init),
        unit: 'ms',
        target: '≤ 150',
        note: `p50 of ${INIT_RUNS} fresh processes (p10–p90 ${initSpread})`,
      },
      {
        name: ROW.coldInitOverFloor(name),
        value: Math.round((init / floor) * 100) / 100,
        unit: '×',
        target: '≤ 1.3',
        note: `floor ${Math.round(floor)} ms (p10–p90 ${floorSpread}): ${clients.map((c) => c.name).join(', ') || 'no SDK client'} alone`,
      },
    );
  }
  return rows;
}
