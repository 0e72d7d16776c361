import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunction } from './bundle';

/**
 * One bundle per function (see bundle.ts), built when the program runs so `sst deploy` ships
 * exactly the handlers in this checkout. The deployed directory holds index.mjs and the chunks
 * it imports on first use (bundle.ts removes an earlier build's); the source map goes to
 * .build/sourcemaps/<name>/ for decoding stack traces offline. Offline evaluation sets
 * TOURNIQUET_INFRA_BUNDLE=0 and gets a placeholder instead of a build.
 */
export async function functionCode(entry: string, name: string, root = process.cwd()) {
  if (process.env.TOURNIQUET_INFRA_BUNDLE === '0') {
    return new $util.asset.AssetArchive({
      'index.mjs': new $util.asset.StringAsset(`// ${entry}\n`),
    });
  }
  const outdir = join(root, '.build', name);
  // An earlier build's map next to the handler would be zipped with it.
  rmSync(join(outdir, 'index.mjs.map'), { force: true });
  await bundleFunction({
    entry: join(root, entry),
    outfile: join(outdir, 'index.mjs'),
    sourcemapDir: join(root, '.build', 'sourcemaps', name),
  });
  return new $util.asset.FileArchive(outdir);
}
