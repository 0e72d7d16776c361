import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { lazyAwsClients } from '@tourniquet/aws';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_BUILD } from '../infra/bundle';
import { REPO_ROOT } from './helpers/events';

const ENTRIES = readdirSync(join(REPO_ROOT, 'functions/actions')).filter((f) => f.endsWith('.ts'));

/**
 * What each action's own code (tree-shaken, packages external) reaches: AWS clients and
 * Kubernetes. One build for every action: esbuild bundles each entry point on its own (no
 * code splitting), and parses the shared modules once instead of once per action.
 */
async function usedByActionModule() {
  const modules = readdirSync(join(REPO_ROOT, 'packages/actions/src/actions')).filter((f) =>
    f.endsWith('.ts'),
  );
  const { outputFiles } = await build({
    ...FUNCTION_BUILD,
    entryPoints: modules.map((m) => join(REPO_ROOT, 'packages/actions/src/actions', m)),
    outdir: join(REPO_ROOT, '.build', 'test', 'actions'),
    minify: false,
    packages: 'external',
    write: false,
  });
  return new Map(
    outputFiles.map((file) => {
      const text = file.text;
      const clients = new Set(
        [...text.matchAll(/\baws\.(ec2Once|ec2|iam|eks|autoscaling)\b/g)].map((m) =>
          m[1] === 'ec2Once' ? 'ec2' : (m[1] as string),
        ),
      );
      const used = { clients: [...clients].sort(), kube: /\.kube\(\)/.test(text) };
      return [basename(file.path).replace(/\.js$/, '.ts'), used] as const;
    }),
  );
}

/**
 * The inputs each entry point's bundle takes code from (tree-shaken modules are parsed but
 * contribute nothing), every entry point in one build as above.
 */
async function bundledInputsByEntry(dir = 'functions/actions', entries = ENTRIES) {
  const { metafile } = await build({
    ...FUNCTION_BUILD,
    entryPoints: entries.map((entry) => join(REPO_ROOT, dir, entry)),
    outdir: join(REPO_ROOT, '.build', 'test', dir),
    metafile: true,
    write: false,
  });
  return new Map(
    Object.values(metafile.outputs)
      .filter((o) => o.entryPoint)
      .map((o) => [
        basename(o.entryPoint as string),
        Object.entries(o.inputs)
          .filter(([, i]) => i.bytesInOutput > 0)
          .map(([f]) => f),
      ]),
  );
}

/**
 * What no function needs but once made most of their bundles: @kubernetes/client-node (the
 * actions use packages/kube's own client), zod's classic API (every schema uses `zod/mini`
 * through @tourniquet/core/zod), zod's translations other than English and the X-Ray SDK
 * (functions trace with packages/aws's XRayTracer).
 */
const unneededIn = (inputs: string[]) =>
  inputs.filter(
    (f) =>
      f.includes('node_modules/@kubernetes/') ||
      f.includes('node_modules/aws-xray-sdk-core/') ||
      f.includes('node_modules/@aws-lambda-powertools/tracer/') ||
      f.includes('node_modules/zod/v4/classic/') ||
      (f.includes('node_modules/zod/v4/locales/') && !/\/(en|index)\.js$/.test(f)),
  );

/** zod/mini loads no locale: @tourniquet/core/zod sets English, and must not be tree-shaken. */
const englishMessagesIn = (inputs: string[]) =>
  inputs.some((f) => f.endsWith('node_modules/zod/v4/locales/en.js')) &&
  inputs.some((f) => f.endsWith('packages/core/src/zod.ts'));

/** What an entry point wires: the client classes it passes and whether it passes `eksKube`. */
function wiredBy(source: string) {
  const clients = /clients:\s*\{([^}]*)\}/.exec(source)?.[1];
  return {
    clients: (clients ?? '')
      .split(',')
      .map((s) => s.split(':')[0]?.trim())
      .filter((s): s is string => Boolean(s))
      .sort(),
    kube: /kube:\s*eksKube/.test(source),
  };
}

describe('Action entry points', () => {
  let usedByAction: Awaited<ReturnType<typeof usedByActionModule>>;
  let bundledInputs: Awaited<ReturnType<typeof bundledInputsByEntry>>;
  // The two builds do the work of 26 tests: they get the patience of many on a loaded machine.
  beforeAll(async () => {
    [usedByAction, bundledInputs] = await Promise.all([
      usedByActionModule(),
      bundledInputsByEntry(),
    ]);
  }, 600_000);

  it.each(ENTRIES)('%s wires exactly the clients its action calls', (entry) => {
    const source = readFileSync(join(REPO_ROOT, 'functions/actions', entry), 'utf8');
    const action = /from '@tourniquet\/actions\/(\w+)'/.exec(source)?.[1];
    expect(action, `${entry} imports its action from @tourniquet/actions/<action>`).toBeDefined();
    expect(usedByAction.has(`${action}.ts`)).toBe(true);
    expect(wiredBy(source)).toEqual(usedByAction.get(`${action}.ts`));
  });

  it.each(ENTRIES)('%s bundles its own action only', (entry) => {
    const inputs = bundledInputs.get(entry) ?? [];
    expect(inputs.length).toBeGreaterThan(0);
    const actions = inputs
      .filter((f) => /packages\/actions\/src\/actions\/\w+\.ts$/.test(f))
      .map((f) => f.replace(/.*\//, ''));
    expect(inputs.some((f) => f.endsWith('packages/actions/src/registry.ts'))).toBe(false);
    // podIsolation.ts is isolate-pod's description of an isolation, shared with its undo.
    expect(actions.filter((a) => a !== 'podIsolation.ts')).toEqual([entry]);
    expect(unneededIn(inputs)).toEqual([]);
    expect(englishMessagesIn(inputs)).toBe(true);
    const kube = inputs.some((f) => f.endsWith('packages/kube/src/kubeHttp.ts'));
    expect(kube).toBe(
      wiredBy(readFileSync(join(REPO_ROOT, 'functions/actions', entry), 'utf8')).kube,
    );
  });
});

/** The other Lambda entry points, functions/*.ts (the action entries are bundled above). */
const OTHER_FUNCTIONS = readdirSync(join(REPO_ROOT, 'functions')).filter((f) => f.endsWith('.ts'));

describe('Function bundles', () => {
  let inputsOf: Awaited<ReturnType<typeof bundledInputsByEntry>>;
  beforeAll(async () => {
    inputsOf = await bundledInputsByEntry('functions', OTHER_FUNCTIONS);
  }, 600_000);

  it.each(OTHER_FUNCTIONS)(
    '%s bundles no @kubernetes/client-node, no classic zod, only English messages, no X-Ray SDK',
    (entry) => {
      const inputs = inputsOf.get(entry) ?? [];
      expect(inputs.length).toBeGreaterThan(0);
      expect(unneededIn(inputs)).toEqual([]);
      expect(englishMessagesIn(inputs)).toBe(true);
    },
  );
});

describe('Lazy AWS clients', () => {
  it('builds a client on first use and names a class the entry point did not pass', () => {
    const aws = lazyAwsClients(
      'eu-west-1',
      { ec2: EC2Client },
      { owner: "isolate-pod's function" },
    );
    expect(aws.ec2).toBeInstanceOf(EC2Client);
    expect(aws.ec2).toBe(aws.ec2);
    expect(aws.ec2Once).not.toBe(aws.ec2);
    expect(() => aws.iam).toThrow(/isolate-pod's function was built without IAMClient/);
  });
});
