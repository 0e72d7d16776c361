/**
 * Every package.json says what its code imports, and nothing more (STYLE rule 10).
 *
 * npm hoists every dependency to the root node_modules, so an undeclared import still resolves
 * here and breaks only when the package is installed, bundled or moved on its own. This check
 * reads the imports of every source file and compares them with the manifest that owns the file:
 *
 * - a workspace package's `src/` and `bin/` may import its `dependencies`;
 * - its `test/` may also import its `devDependencies` and the root's `devDependencies` (vitest,
 *   fast-check and the other tools the whole suite shares);
 * - `functions/` is Lambda code bundled from the root manifest, so it may import the root's
 *   `dependencies` and the workspace packages, never a devDependency;
 * - the rest of the root (test/, infra/, scripts/, bench/, config files) may import any root
 *   dependency or devDependency and the workspace packages.
 *
 * It also reports dependencies nobody imports, relative imports that cross into another
 * package's folder (import the package by name instead), deep imports that a package's
 * `exports` does not offer, and cycles between workspace packages.
 *
 * Run: `npx tsx scripts/checkManifests.ts` (exit 1 and one line per problem).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, string> | string;
  bin?: Record<string, string> | string;
  scripts?: Record<string, string>;
  workspaces?: string[];
}

/** A package and the folder it owns. The root owns everything no workspace package owns. */
interface Unit {
  dir: string;
  manifest: Manifest;
  isRoot: boolean;
}

type Scope = 'runtime' | 'test';

interface SourceFile {
  path: string;
  unit: Unit;
  scope: Scope;
  imports: string[];
}

const SOURCE = /\.(ts|mts|mjs|js)$/;
const SKIP_DIRS = new Set(['node_modules', '.sst', '.git', 'dist', 'results', 'coverage']);
const BUILTINS = new Set(builtinModules);

/** Root folders and files whose imports are checked, and what they may use. */
const ROOT_SCOPES: ReadonlyArray<readonly [string, Scope]> = [
  ['functions', 'runtime'],
  ['infra', 'test'],
  ['scripts', 'test'],
  ['test', 'test'],
  ['bench', 'test'],
  ['sst.config.ts', 'test'],
  ['vitest.config.ts', 'test'],
];

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function listSources(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return SOURCE.test(path) ? [path] : [];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) {
      return SKIP_DIRS.has(entry.name) ? [] : listSources(join(path, entry.name));
    }
    return SOURCE.test(entry.name) ? [join(path, entry.name)] : [];
  });
}

/** Module specifiers of every import, re-export, dynamic import and `import('x')` type. */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function typesPackageOf(name: string): string {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(packageNameOf(specifier));
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

function loadUnits(root: string): { rootUnit: Unit; packages: Unit[] } {
  const rootManifest = readJson<Manifest>(join(root, 'package.json'));
  const packages = (rootManifest.workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(parent, e.name, 'package.json')))
      .map((e) => join(parent, e.name));
  });
  return {
    rootUnit: { dir: root, manifest: rootManifest, isRoot: true },
    packages: packages.map((dir) => ({
      dir,
      manifest: readJson<Manifest>(join(dir, 'package.json')),
      isRoot: false,
    })),
  };
}

function collectFiles(root: string, rootUnit: Unit, packages: Unit[]): SourceFile[] {
  const read = (path: string, unit: Unit, scope: Scope): SourceFile => ({
    path,
    unit,
    scope,
    imports: importsOf(readFileSync(path, 'utf8')),
  });
  const packageFiles = packages.flatMap((unit) => [
    ...listSources(join(unit.dir, 'src')).map((p) => read(p, unit, 'runtime')),
    ...listSources(join(unit.dir, 'bin')).map((p) => read(p, unit, 'runtime')),
    ...listSources(join(unit.dir, 'test')).map((p) => read(p, unit, 'test')),
  ]);
  const rootFiles = ROOT_SCOPES.flatMap(([path, scope]) =>
    listSources(join(root, path)).map((p) => read(p, rootUnit, scope)),
  );
  return [...packageFiles, ...rootFiles];
}

function ownerOf(path: string, packages: Unit[], rootUnit: Unit): Unit {
  return packages.find((u) => path === u.dir || path.startsWith(u.dir + sep)) ?? rootUnit;
}

/** An `exports` key matches the subpath exactly, or as a pattern with one `*`. */
function exportMatches(key: string, subpath: string): boolean {
  const star = key.indexOf('*');
  if (star < 0) return key === subpath;
  const [head, tail] = [key.slice(0, star), key.slice(star + 1)];
  return (
    subpath.length > head.length + tail.length && subpath.startsWith(head) && subpath.endsWith(tail)
  );
}

function exportKeys(manifest: Manifest): string[] {
  if (manifest.exports === undefined) return ['.'];
  if (typeof manifest.exports === 'string') return ['.'];
  return Object.keys(manifest.exports);
}

/** Text of the root's scripts, CI and script files: a devDependency whose binary they call is in use. */
function binariesCalled(root: string, manifest: Manifest): string {
  const ci = join(root, '.ci', 'run');
  return [
    ...Object.values(manifest.scripts ?? {}),
    existsSync(ci) ? readFileSync(ci, 'utf8') : '',
    ...listSources(join(root, 'scripts')).map((p) => readFileSync(p, 'utf8')),
  ].join('\n');
}

function binNamesOf(root: string, name: string): string[] {
  const path = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(path)) return [];
  const { bin } = readJson<Manifest>(path);
  if (bin === undefined) return [];
  return typeof bin === 'string'
    ? [packageNameOf(name).replace(/^@[^/]+\//, '')]
    : Object.keys(bin);
}

function allowedFor(file: SourceFile, rootUnit: Unit, workspaceNames: Set<string>): Set<string> {
  const own = file.unit.manifest;
  const allowed = new Set<string>([own.name, ...Object.keys(own.dependencies ?? {})]);
  for (const name of Object.keys(own.peerDependencies ?? {})) allowed.add(name);
  if (file.unit.isRoot) {
    for (const name of workspaceNames) allowed.add(name);
  }
  if (file.scope === 'test') {
    for (const name of Object.keys(own.devDependencies ?? {})) allowed.add(name);
    for (const name of Object.keys(rootUnit.manifest.devDependencies ?? {})) allowed.add(name);
  }
  return allowed;
}

function findCycles(packages: Unit[]): string[] {
  const byName = new Map(packages.map((u) => [u.manifest.name, u]));
  const problems: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      problems.push(`dependency cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
      return;
    }
    state.set(name, 'visiting');
    const deps = Object.keys(byName.get(name)?.manifest.dependencies ?? {});
    for (const dep of deps.filter((d) => byName.has(d)).sort()) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);
  return problems;
}

/** One line per problem; empty when every manifest tells the truth. */
export function checkManifests(root: string): string[] {
  const { rootUnit, packages } = loadUnits(root);
  const units = [rootUnit, ...packages];
  const workspaceNames = new Set(packages.map((u) => u.manifest.name));
  const files = collectFiles(root, rootUnit, packages);
  const problems: string[] = [];
  // What each unit's runtime code imports, what any of its code imports, and what any test uses.
  const usedAtRuntime = new Map<Unit, Set<string>>(units.map((u) => [u, new Set<string>()]));
  const used = new Map<Unit, Set<string>>(units.map((u) => [u, new Set<string>()]));
  const usedByTests = new Set<string>();
  const markUsed = (file: SourceFile, ...names: string[]) => {
    for (const name of names) {
      used.get(file.unit)?.add(name);
      if (file.scope === 'runtime') usedAtRuntime.get(file.unit)?.add(name);
      else usedByTests.add(name);
    }
  };
  const rel = (path: string) => relative(root, path).split(sep).join('/');

  for (const file of files) {
    const allowed = allowedFor(file, rootUnit, workspaceNames);
    for (const specifier of file.imports) {
      if (isRelative(specifier)) {
        const target = resolve(dirname(file.path), specifier);
        const owner = ownerOf(target, packages, rootUnit);
        if (owner !== file.unit) {
          const into = rel(target);
          const by = owner.isRoot ? 'the root package' : owner.manifest.name;
          problems.push(
            `${rel(file.path)}: imports '${specifier}', a file of ${by} (${into}); import ${owner.isRoot ? 'it from a package' : `${by} by name`} instead`,
          );
        }
        continue;
      }
      if (isBuiltin(specifier)) {
        markUsed(file, '@types/node');
        continue;
      }
      const name = packageNameOf(specifier);
      markUsed(file, name, typesPackageOf(name));
      if (!allowed.has(name) && !allowed.has(typesPackageOf(name))) {
        const manifest = file.unit.isRoot
          ? 'package.json'
          : rel(join(file.unit.dir, 'package.json'));
        const section =
          file.scope === 'runtime' ? 'dependencies' : 'dependencies or devDependencies';
        problems.push(
          `${rel(file.path)}: imports '${specifier}', which ${manifest} does not declare in ${section}`,
        );
      }
      const target = packages.find((u) => u.manifest.name === name);
      if (target !== undefined && specifier !== name) {
        const subpath = `.${specifier.slice(name.length)}`;
        if (!exportKeys(target.manifest).some((key) => exportMatches(key, subpath))) {
          problems.push(
            `${rel(file.path)}: imports '${specifier}', which ${name}'s package.json does not export`,
          );
        }
      }
    }
  }

  const rootBins = binariesCalled(root, rootUnit.manifest);
  // vitest loads its coverage provider by name (`coverage.provider`), not by an import.
  const vitestConfig = join(root, 'vitest.config.ts');
  const provider = existsSync(vitestConfig)
    ? /provider:\s*'(v8|istanbul)'/.exec(readFileSync(vitestConfig, 'utf8'))?.[1]
    : undefined;
  const coverageProvider = provider ? `@vitest/coverage-${provider}` : undefined;
  for (const unit of units) {
    const manifest = unit.isRoot ? 'package.json' : rel(join(unit.dir, 'package.json'));
    const imported = used.get(unit) ?? new Set<string>();
    const importedAtRuntime = usedAtRuntime.get(unit) ?? new Set<string>();
    const runtimeCode = unit.isRoot ? 'functions/' : 'src/ or bin/';
    for (const name of Object.keys(unit.manifest.dependencies ?? {})) {
      if (!importedAtRuntime.has(name)) {
        problems.push(
          imported.has(name)
            ? `${manifest}: declares '${name}' in dependencies but only tests and tools import it (make it a devDependency)`
            : `${manifest}: declares '${name}' in dependencies but nothing in ${runtimeCode} imports it`,
        );
      }
    }
    for (const name of Object.keys(unit.manifest.devDependencies ?? {})) {
      const viaBinary = binNamesOf(root, name).some((bin) =>
        new RegExp(`(^|[\\s;&|('"])${bin}(?=[\\s'"]|$)`, 'm').test(rootBins),
      );
      const inUse = unit.isRoot
        ? imported.has(name) || usedByTests.has(name) || viaBinary || coverageProvider === name
        : imported.has(name);
      if (!inUse) {
        problems.push(`${manifest}: declares '${name}' in devDependencies but nothing uses it`);
      }
    }
  }
  return [...new Set(problems), ...findCycles(packages)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkManifests(root);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exitCode = 1;
  else console.log('manifests: every import declared, every dependency used');
}
