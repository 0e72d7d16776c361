import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkManifests, type Manifest } from '../scripts/checkManifests';
import { REPO_ROOT } from './helpers/events';

describe('Manifests', () => {
  it('every package declares what it imports, imports what it declares, and reaches no other package by path', () => {
    expect(checkManifests(REPO_ROOT)).toEqual([]);
  });
});

describe('Manifest check', () => {
  const root = mkdtempSync(join(tmpdir(), 'tourniquet-manifests-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const manifest = (path: string, m: Manifest) => write(path, JSON.stringify(m));

  manifest('package.json', {
    name: 'fixture',
    workspaces: ['packages/*'],
    dependencies: { '@tourniquet/a': '*' },
    devDependencies: { vitest: '*', 'left-pad': '*' },
  });
  manifest('packages/a/package.json', {
    name: '@tourniquet/a',
    exports: { '.': './src/index.ts', './testkit': './src/testkit.ts' },
    dependencies: { '@tourniquet/b': '*', unused: '*', 'only-in-tests': '*' },
  });
  manifest('packages/b/package.json', {
    name: '@tourniquet/b',
    exports: { '.': './src/index.ts' },
    dependencies: { '@tourniquet/a': '*' },
  });
  write(
    'packages/a/src/index.ts',
    "import { z } from 'zod';\nimport type { B } from '@tourniquet/b';\nimport { readFileSync } from 'node:fs';\n",
  );
  write('packages/a/src/testkit.ts', 'export const kit = 1;\n');
  write(
    'packages/a/test/a.test.ts',
    "import { it } from 'vitest';\nimport { x } from '../../b/src/x';\nimport { y } from '../../b/test/helpers/y';\nimport 'only-in-tests';\n",
  );
  write(
    'packages/b/src/index.ts',
    "import { kit } from '@tourniquet/a/testkit';\nimport '@tourniquet/a/src/deep';\n",
  );
  write('functions/handler.ts', "import { it } from 'vitest';\nimport '@tourniquet/a';\n");
  write('test/root.test.ts', "import { x } from '../packages/b/src/x';\n");

  const problems = checkManifests(root);

  it('reports an import the package does not declare', () => {
    expect(problems).toContain(
      "packages/a/src/index.ts: imports 'zod', which packages/a/package.json does not declare in dependencies",
    );
  });

  it('reports Lambda code importing a devDependency', () => {
    expect(problems).toContain(
      "functions/handler.ts: imports 'vitest', which package.json does not declare in dependencies",
    );
  });

  it('reports a dependency nothing imports', () => {
    expect(problems).toContain(
      "packages/a/package.json: declares 'unused' in dependencies but nothing in src/ or bin/ imports it",
    );
    expect(problems).toContain(
      "package.json: declares 'left-pad' in devDependencies but nothing uses it",
    );
  });

  it('reports a runtime dependency only tests import', () => {
    expect(problems).toContain(
      "packages/a/package.json: declares 'only-in-tests' in dependencies but only tests and tools import it (make it a devDependency)",
    );
  });

  it("reports relative imports into another package's src/ and test/", () => {
    expect(problems).toEqual(
      expect.arrayContaining([
        "packages/a/test/a.test.ts: imports '../../b/src/x', a file of @tourniquet/b (packages/b/src/x); import @tourniquet/b by name instead",
        "packages/a/test/a.test.ts: imports '../../b/test/helpers/y', a file of @tourniquet/b (packages/b/test/helpers/y); import @tourniquet/b by name instead",
        "test/root.test.ts: imports '../packages/b/src/x', a file of @tourniquet/b (packages/b/src/x); import @tourniquet/b by name instead",
      ]),
    );
  });

  it('reports a deep import the package does not export, and accepts an exported subpath', () => {
    expect(problems).toContain(
      "packages/b/src/index.ts: imports '@tourniquet/a/src/deep', which @tourniquet/a's package.json does not export",
    );
    expect(problems.filter((p) => p.includes("'@tourniquet/a/testkit'"))).toEqual([]);
  });

  it('reports a cycle between workspace packages', () => {
    expect(problems).toContain('dependency cycle: @tourniquet/a → @tourniquet/b → @tourniquet/a');
  });
});
