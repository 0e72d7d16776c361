import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * One bundle per function (ESM, minified, Node 22, arm64-agnostic), built when the program runs
 * so `sst deploy` ships exactly the handlers in this checkout. Offline evaluation sets
 * TOURNIQUET_INFRA_BUNDLE=0 and gets a placeholder instead of a build.
 */
export function functionCode(entry: string, name: string, root = process.cwd()) {
  if (process.env.TOURNIQUET_INFRA_BUNDLE === '0') {
    return new $util.asset.AssetArchive({
      'index.mjs': new $util.asset.StringAsset(`// ${entry}\n`),
    });
  }
  const outdir = join(root, '.build', name);
  mkdirSync(outdir, { recursive: true });
  buildSync({
    entryPoints: [join(root, entry)],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    sourcemap: 'external',
    // Some dependencies still call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return new $util.asset.FileArchive(outdir);
}
