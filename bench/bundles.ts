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
export function importTime(file: string, label: string): number {
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
 * Median cold init of a function, of its floor and of its stack floor: what a Lambda cold start
 * pays before the first invocation. The three are measured in turn, so a slower stretch of the
 * machine weighs on all of them and not on their ratios.
 */
function coldInits(file: string, floorFile: string, stackFloorFile: string, label: string) {
  const own: number[] = [];
  const floor: number[] = [];
  const stack: number[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    own.push(importTime(file, label));
    floor.push(importTime(floorFile, `${label} floor`));
    stack.push(importTime(stackFloorFile, `${label} stack floor`));
  }
  const spread = (values: number[]) =>
    `${Math.round(percentile(values, 10))}–${Math.round(percentile(values, 90))} ms`;
  return {
    init: percentile(own, 50),
    floor: percentile(floor, 50),
    stackFloor: percentile(stack, 50),
    // How much the machine moved while measuring: p10–p90 of each.
    initSpread: spread(own),
    floorSpread: spread(floor),
    stackFloorSpread: spread(stack),
  };
}

/** The Powertools utilities a function's cold start loads beyond Logger and Metrics. */
export type PowertoolsUtility = 'idempotency' | 'parameters';
const STACK_UTILITY: Record<PowertoolsUtility, string> = {
  idempotency: 'Idempotency on DynamoDB',
  parameters: 'the Parameters Secrets Manager provider',
};

/**
 * What a function's cold start loads: its bundle, with our packages and every other dependency
 * bundled and only the AWS SDK left external, tree-shaken, so what remains are the SDK client
 * classes some code of the function references (also those the workspace packages build, such as
 * STS for member accounts) and the Powertools utilities it reaches. What only a dynamic
 * `import()` reaches goes to a chunk (as in the deployed bundle) and is not counted: a cold start
 * does not load it.
 */
export function coldStartImports(entry: string): {
  clients: Array<{ name: string; from: string }>;
  utilities: PowertoolsUtility[];
} {
  const { outputFiles, metafile } = buildSync({
    ...FUNCTION_BUILD,
    entryPoints: { probe: entry },
    minify: false,
    external: ['@aws-sdk/*'],
    splitting: true,
    write: false,
    metafile: true,
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
  const entryInputs = Object.entries(metafile.outputs).find(([file]) =>
    file.endsWith('/probe.js'),
  )?.[1].inputs;
  const loaded = Object.keys(entryInputs ?? {});
  const utilities = (['idempotency', 'parameters'] as const).filter((u) =>
    loaded.some((file) => file.includes(`node_modules/@aws-lambda-powertools/${u}/`)),
  );
  return { clients: [...found].map(([name, from]) => ({ name, from })), utilities };
}

/**
 * A function's floor: a bare handler constructing only the SDK clients the function uses,
 * bundled the same way. What is left above it is our code and its other dependencies.
 */
export async function floorBundle(
  name: string,
  clients: Array<{ name: string; from: string }>,
): Promise<string> {
  mkdirSync(OUT, { recursive: true });
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

/**
 * A function's stack floor: its SDK floor plus what every handler of this stack loads before our
 * own code: middy with Powertools Logger and Metrics and their middlewares, the X-Ray tracer
 * wrapping each client, and the Powertools utilities the function itself builds at module scope
 * (idempotency on DynamoDB, the Secrets Manager provider). What is left above it is Tourniquet's
 * own code: its schemas, config checks, domain logic and the commands it sends.
 */
export async function stackFloorBundle(
  name: string,
  clients: Array<{ name: string; from: string }>,
  utilities: PowertoolsUtility[],
): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const source = join(OUT, `stack-floor-${name}.ts`);
  const lib = join(REPO_ROOT, 'functions', 'lib');
  const dynamo = clients.some((c) => c.name === 'DynamoDBClient');
  const lines = [
    ...clients.map((c) => `import { ${c.name} } from '${c.from}';`),
    "import middy from '@middy/core';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
    `import { logger, metrics, tracer } from ${JSON.stringify(join(lib, 'powertools'))};`,
    `import { traceInvocations } from ${JSON.stringify(join(lib, 'tracing'))};`,
    ...(utilities.includes('idempotency')
      ? [
          "import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';",
          "import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';",
          "import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';",
          ...(dynamo ? [] : ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"]),
        ]
      : []),
    ...(utilities.includes('parameters')
      ? ["import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';"]
      : []),
    `const clients = [${clients.map((c) => `tracer.captureAWSv3Client(new ${c.name}({}))`).join(', ')}];`,
    ...(utilities.includes('parameters') ? ['const secrets = new SecretsProvider({});'] : []),
    'let handler = middy(async () => clients.length)',
    '  .use(traceInvocations(tracer))',
    '  .use(injectLambdaContext(logger))',
    '  .use(logMetrics(metrics));',
    ...(utilities.includes('idempotency')
      ? [
          'handler = handler.use(makeHandlerIdempotent({',
          `  persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'incidents', awsSdkV3Client: ${dynamo ? `clients[${clients.findIndex((c) => c.name === 'DynamoDBClient')}]` : 'new DynamoDBClient({})'} }),`,
          '  config: new IdempotencyConfig({ expiresAfterSeconds: 3600 }),',
          '}));',
        ]
      : []),
    ...(utilities.includes('parameters') ? ['export { secrets };'] : []),
    'export { handler };',
    '',
  ];
  writeFileSync(source, lines.join('\n'));
  const outfile = join(OUT, `stack-floor-${name}.mjs`);
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
    const { clients, utilities } = coldStartImports(join(REPO_ROOT, entry));
    const floorFile = await floorBundle(name, clients);
    const stackFloorFile = await stackFloorBundle(name, clients, utilities);
    const { init, floor, stackFloor, initSpread, floorSpread, stackFloorSpread } = coldInits(
      outfile,
      floorFile,
      stackFloorFile,
      entry,
    );
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
      {
        name: ROW.coldInitOverStackFloor(name),
        value: Math.round((init / stackFloor) * 100) / 100,
        unit: '×',
        note: `stack floor ${Math.round(stackFloor)} ms (p10–p90 ${stackFloorSpread}), ${Math.round((stackFloor / floor) * 100) / 100}× the floor: the same clients traced, middy, Powertools Logger and Metrics${utilities.map((u) => `, ${STACK_UTILITY[u]}`).join('')}; above it is Tourniquet's own code`,
      },
    );
  }
  return rows;
}
