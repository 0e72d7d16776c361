import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledModule, cliLocations } from '../bin/launcher.mjs';

/** A small TypeScript program standing in for the CLI: builds in milliseconds. */
function program(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'tourniquet-launcher-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  const builds: number[] = [];
  const load = () =>
    bundledModule({
      source: join(root, 'src/main.ts'),
      root,
      cache: join(root, 'node_modules/.cache/cli'),
      onBuild: () => builds.push(Date.now()),
    });
  return { root, builds, load };
}

/** What the bundle's `main` returns (and a clear failure when there is no bundle). */
function mainOf(loaded: Record<string, unknown> | null): string {
  if (!loaded) throw new Error('no bundle was built');
  return (loaded.main as () => string)();
}

const SOURCES = {
  'src/main.ts': `import { greeting } from './greeting';
export const main = (): string => greeting('world');
export const here: string = import.meta.url;
`,
  'src/greeting.ts': `export const greeting = (who: string): string => \`hello \${who}\`;\n`,
};

describe('CLI launcher: a bundle of the sources, rebuilt when they change', () => {
  it('builds once and loads the same bundle while the sources are unchanged', async () => {
    const { builds, load } = program(SOURCES);
    const first = await load();
    expect(mainOf(first)).toBe('hello world');
    const second = await load();
    expect(second).toBe(first);
    expect(builds).toHaveLength(1);
  });

  it('an edit to any source it imports triggers a rebuild that carries the edit', async () => {
    const { root, builds, load } = program(SOURCES);
    await load();
    writeFileSync(
      join(root, 'src/greeting.ts'),
      `export const greeting = (who: string): string => \`goodbye \${who}\`;\n`,
    );
    const edited = await load();
    expect(mainOf(edited)).toBe('goodbye world');
    expect(builds).toHaveLength(2);
  });

  it('import.meta.url in a bundled source is that source file, as when it runs unbundled', async () => {
    const { root, load } = program(SOURCES);
    const loaded = await load();
    expect(loaded?.here).toBe(pathToFileURL(join(root, 'src/main.ts')).href);
  });

  it('two processes starting at once build once: the second waits for the first', async () => {
    const { builds, load } = program(SOURCES);
    const [a, b] = await Promise.all([load(), load()]);
    expect(builds).toHaveLength(1);
    expect(mainOf(a)).toBe(mainOf(b));
  });

  it('a source that does not compile gives no bundle (the bin then runs the sources)', async () => {
    const { root, load } = program({ ...SOURCES, 'src/greeting.ts': 'export const = ;\n' });
    expect(await load()).toBeNull();
    // Nothing half-built is left to be taken for a bundle next time.
    expect(readdirSync(join(root, 'node_modules/.cache/cli'))).not.toContain('current.json');
  });

  it('the CLI bundle lives under node_modules/.cache, next to the packages it was built against', () => {
    const { root, cache, source } = cliLocations();
    expect(cache).toBe(join(root, 'node_modules', '.cache', 'tourniquet-cli'));
    expect(readFileSync(source, 'utf8')).toMatch(/export async function main/);
  });
});
