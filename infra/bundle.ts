import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';

/**
 * How every function is bundled: by infra/ for deployment and by the bench that measures
 * bundle size and cold init, so the numbers are the deployed code's.
 *
 * `mainFields` prefers each package's ES module build: the AWS SDK's CommonJS builds cannot be
 * tree-shaken and cost about half the cold init. The SDK stays bundled (left external, it
 * would load the runtime's whole copy, which measured slower).
 */
export const FUNCTION_BUILD: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  logLevel: 'silent',
  // Some dependencies still call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
};

/** An AWS SDK client's schema module (ES module build): every shape of the service, as data. */
const SDK_SCHEMA_MODULE =
  /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * The schema module with every computed key that names one of its own top-level string
 * constants (`{ [_xN]: _it }`, where `const _xN = "xmlName"`) written as that string
 * (`{ "xmlName": _it }`): the same objects, keys and order.
 *
 * Why: esbuild keeps any statement whose object literal has a computed key, since evaluating
 * the key could run code. The EC2 module writes a trait object with a computed key into most of
 * its 3,400 shapes, so every such shape, and every string constant they name, stayed in every
 * bundle that constructs an EC2Client, used or not: about 550 KiB and 150 ms of cold init
 * (docs/decisions.md). With literal keys, the shapes a function never reaches are dropped.
 * `test/sdkSchemaKeys.test.ts` checks that every rewritten module exports what the original does.
 */
export function literalSchemaKeys(source: string): { text: string; replaced: number } {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    constants.set(m[1] as string, m[2] as string);
  }
  let replaced = 0;
  const text = source.replace(/([{,]\s*)\[(_\w+)\](\s*:)/g, (all, before, name, colon) => {
    const value = constants.get(name);
    if (value === undefined) return all;
    replaced += 1;
    return `${before}${value}${colon}`;
  });
  return { text, replaced };
}

/** esbuild plugin applying literalSchemaKeys to every AWS SDK schema module it loads. */
export const sdkSchemaKeys: Plugin = {
  name: 'sdk-schema-keys',
  setup(b) {
    b.onLoad({ filter: SDK_SCHEMA_MODULE }, async ({ path }) => ({
      contents: literalSchemaKeys(await readFile(path, 'utf8')).text,
      loader: 'js',
    }));
  },
};

/**
 * Bundles `entry` to `outfile`. The source map (if `sourcemapDir` is given) is written there,
 * outside the deployed directory and without a `sourceMappingURL` comment: it would be most of
 * the zip, and Lambda does not use it unless told to (see docs/decisions.md).
 *
 * Code the function reaches only through `import()` (an SDK a rarely taken path needs) goes to
 * chunk files next to `outfile`, named `<outfile name>.<hash>.mjs`: a cold start neither parses
 * nor runs them. In a single file esbuild would keep such a module whole and parse it anyway
 * (measured larger and slower; docs/decisions.md). Earlier builds' chunks are removed first,
 * and chunks the entry cannot reach are not written.
 */
export async function bundleFunction(options: {
  entry: string;
  outfile: string;
  sourcemapDir?: string;
}): Promise<{ bytes: number; files: string[] }> {
  const outdir = dirname(options.outfile);
  const name = basename(options.outfile).replace(/\.mjs$/, '');
  if (!options.outfile.endsWith('.mjs') || name.includes('.')) {
    throw new Error(
      `bundleFunction: outfile must be <name>.mjs with no dot in <name>: ${options.outfile}`,
    );
  }
  const result = await build({
    ...FUNCTION_BUILD,
    plugins: [sdkSchemaKeys],
    entryPoints: { [name]: options.entry },
    outdir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: `${name}.[hash]`,
    outExtension: { '.js': '.mjs' },
    sourcemap: options.sourcemapDir ? 'external' : false,
    write: false,
  });
  mkdirSync(outdir, { recursive: true });
  for (const file of readdirSync(outdir)) {
    if (file.startsWith(`${name}.`) && /^[^.]+\.[A-Z0-9]+\.mjs(\.map)?$/.test(file)) {
      rmSync(join(outdir, file), { force: true });
    }
  }
  // esbuild emits a chunk for every import() in the module graph, also where the code making
  // it was tree-shaken away; only what the entry reaches is written.
  const chunkRef = new RegExp(`"\\./(${name}\\.[A-Z0-9]+\\.mjs)"`, 'g');
  const byName = new Map(result.outputFiles.map((f) => [basename(f.path), f]));
  const reached = new Set<string>();
  const reach = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const m of byName.get(file)?.text.matchAll(chunkRef) ?? []) reach(m[1] as string);
  };
  reach(`${name}.mjs`);
  let bytes = 0;
  const files: string[] = [];
  for (const file of result.outputFiles) {
    const own = basename(file.path).replace(/\.map$/, '');
    if (!reached.has(own)) continue;
    if (file.path.endsWith('.map')) {
      if (!options.sourcemapDir) continue;
      mkdirSync(options.sourcemapDir, { recursive: true });
      writeFileSync(join(options.sourcemapDir, basename(file.path)), file.contents);
      continue;
    }
    writeFileSync(file.path, file.contents);
    bytes += file.contents.byteLength;
    files.push(file.path);
  }
  return { bytes, files };
}
