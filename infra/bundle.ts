import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type BuildOptions, buildSync } from 'esbuild';

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

/**
 * Bundles `entry` to `outfile`. The source map (if `sourcemapDir` is given) is written there,
 * outside the deployed directory and without a `sourceMappingURL` comment: it would be most of
 * the zip, and Lambda does not use it unless told to (see docs/decisions.md).
 */
export function bundleFunction(options: {
  entry: string;
  outfile: string;
  sourcemapDir?: string;
}): { bytes: number } {
  const result = buildSync({
    ...FUNCTION_BUILD,
    entryPoints: [options.entry],
    outfile: options.outfile,
    sourcemap: options.sourcemapDir ? 'external' : false,
    write: false,
  });
  let bytes = 0;
  for (const file of result.outputFiles) {
    if (file.path.endsWith('.map')) {
      if (!options.sourcemapDir) continue;
      mkdirSync(options.sourcemapDir, { recursive: true });
      writeFileSync(join(options.sourcemapDir, basename(file.path)), file.contents);
      continue;
    }
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
    bytes += file.contents.byteLength;
  }
  return { bytes };
}
