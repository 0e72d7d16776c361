// Loads the CLI from one esbuild bundle of its TypeScript sources and their dependencies,
// built on first use and rebuilt when a source changes. Loading the sources through a
// TypeScript loader costs about three seconds of CPU per command (every module of the AWS SDK
// goes through the loader's hooks); the bundle loads in a fraction of that.
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A build that has not finished after this long belongs to a process that died. */
const STALE_LOCK_MS = 300_000;
/** Superseded builds are kept this long: a running command may still load chunks from one. */
const KEEP_OLD_BUILDS_MS = 3_600_000;

/**
 * What a build depends on besides its own inputs: the installed packages (the lockfile), the
 * bundler and the Node version it targets.
 */
function environmentStamp(root) {
  const lock = join(root, 'package-lock.json');
  let lockStamp = 'none';
  try {
    const s = statSync(lock);
    lockStamp = `${s.mtimeMs}:${s.size}`;
  } catch {}
  const require = createRequire(import.meta.url);
  const { version } = require('esbuild/package.json');
  return `${lockStamp}|esbuild ${version}|${process.version}`;
}

/** The inputs' modification times and sizes, hashed: any edit changes it. */
function inputsStamp(root, inputs) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    try {
      const s = statSync(join(root, input));
      hash.update(`${input}\0${s.mtimeMs}\0${s.size}\n`);
    } catch {
      hash.update(`${input}\0missing\n`);
    }
  }
  return hash.digest('hex');
}

/** The manifest of the current build, if its inputs are unchanged since it was made. */
function currentBuild(cache, root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(cache, 'current.json'), 'utf8'));
  } catch {
    return null;
  }
  if (manifest.environment !== environmentStamp(root)) return null;
  if (manifest.inputsStamp !== inputsStamp(root, manifest.inputs)) return null;
  const entry = join(cache, manifest.dir, manifest.entry);
  try {
    statSync(entry);
  } catch {
    return null;
  }
  return entry;
}

/**
 * Our TypeScript is bundled with `import.meta.url` fixed to the source file's own URL: the
 * sources find files next to them (the moto wrapper, sample events) as they do unbundled.
 */
function sourceUrlPlugin() {
  return {
    name: 'source-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        let contents = readFileSync(args.path, 'utf8');
        if (contents.includes('import.meta.url')) {
          contents = contents.replaceAll(
            'import.meta.url',
            JSON.stringify(pathToFileURL(args.path).href),
          );
        }
        return { contents, loader: 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
}

async function build(cache, root, source) {
  const { build: esbuild } = await import('esbuild');
  const dir = `build-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const outdir = join(cache, dir);
  const result = await esbuild({
    entryPoints: { main: source },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'silent',
    // Some dependencies still call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __tourniquetRequire } from 'node:module'; const require = __tourniquetRequire(import.meta.url);",
    },
    absWorkingDir: root,
    plugins: [sourceUrlPlugin()],
  });
  // Installed packages are covered by the lockfile; what can change under us is our own code.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.split(sep).includes('node_modules'))
    .sort();
  const manifest = {
    dir,
    entry: 'main.js',
    environment: environmentStamp(root),
    inputs,
    inputsStamp: inputsStamp(root, inputs),
  };
  const temporary = join(cache, `current.${process.pid}.json`);
  writeFileSync(temporary, `${JSON.stringify(manifest)}\n`);
  renameSync(temporary, join(cache, 'current.json'));
  removeOldBuilds(cache, dir);
  return join(outdir, manifest.entry);
}

function removeOldBuilds(cache, keep) {
  for (const name of readdirSync(cache)) {
    if (!name.startsWith('build-') || name === keep) continue;
    try {
      if (Date.now() - statSync(join(cache, name)).mtimeMs > KEEP_OLD_BUILDS_MS) {
        rmSync(join(cache, name), { recursive: true, force: true });
      }
    } catch {}
  }
}

/** One build at a time: a second process waits for the first one's result. */
async function withLock(cache, work) {
  const lock = join(cache, 'build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmdirSync(lock);
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmdirSync(lock);
  }
}

/**
 * The bundled module of `source` (a TypeScript entry inside the repository at `root`), from
 * `cache`: reused while every source it was built from is unchanged, otherwise rebuilt.
 * `onBuild` is told before a build starts (it takes seconds). Returns null when no bundle can
 * be had (no esbuild, a read-only tree, a build error): the caller loads the sources instead.
 */
export async function bundledModule({ source, root, cache, onBuild = () => {} }) {
  try {
    mkdirSync(cache, { recursive: true });
    let entry = currentBuild(cache, root);
    if (!entry) {
      entry = await withLock(cache, async () => {
        const built = currentBuild(cache, root);
        if (built) return built;
        onBuild();
        return build(cache, root, source);
      });
    }
    return await import(pathToFileURL(entry).href);
  } catch {
    return null;
  }
}

/** The repository the CLI runs from and the cache folder for its bundle. */
export function cliLocations() {
  const bin = dirname(fileURLToPath(import.meta.url));
  const root = join(bin, '..', '..', '..');
  return {
    source: join(bin, '..', 'src', 'main.ts'),
    root,
    cache: join(root, 'node_modules', '.cache', 'tourniquet-cli'),
  };
}
