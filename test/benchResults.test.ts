import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readResults, recordSuite } from '../bench/results';
import { assertComplete } from '../scripts/benchReadme';

const ORDER = ['plan', 'load', 'slack'];
const at = (measuredAt: string) => ({ measuredAt, machine: 'test machine' });
const row = (name: string, value: number) => ({ name, value, unit: 'x' });

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  file = join(dir, 'latest.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const onDisk = () => JSON.parse(readFileSync(file, 'utf8'));

describe('bench/results/latest.json, written after every suite', () => {
  it('a run stopped after its first two suites leaves their rows on disk, marked partial', () => {
    recordSuite(
      file,
      ORDER,
      'plan',
      [row('plan a', 1), row('plan b', 2)],
      at('2026-01-01T00:00:00Z'),
    );
    recordSuite(file, ORDER, 'load', [row('load a', 3)], at('2026-01-01T00:10:00Z'));
    // (the run is killed here, in `slack`)
    const results = onDisk();
    expect(results.status).toBe('partial');
    expect(results.missing).toEqual(['slack']);
    expect(results.rows.map((r: { name: string }) => r.name)).toEqual([
      'plan a',
      'plan b',
      'load a',
    ]);
    expect(results.suites.load.measuredAt).toBe('2026-01-01T00:10:00Z');
    expect(() => assertComplete(results)).toThrow(/partial: no rows yet for slack/);
  });

  it("a run of one suite replaces that suite's rows, keeps the others' and completes the file", () => {
    recordSuite(file, ORDER, 'plan', [row('plan a', 1)], at('2026-01-01T00:00:00Z'));
    recordSuite(file, ORDER, 'slack', [row('slack a', 5)], at('2026-01-01T00:01:00Z'));
    recordSuite(
      file,
      ORDER,
      'load',
      [row('load a', 3), row('load b', 4)],
      at('2026-01-02T00:00:00Z'),
    );
    recordSuite(file, ORDER, 'load', [row('load a', 30)], at('2026-01-03T00:00:00Z'));
    const results = onDisk();
    expect(results.status).toBe('complete');
    expect(results.missing).toEqual([]);
    // In the suites' order, whatever order they ran in.
    expect(
      results.rows.map((r: { suite: string; name: string; value: number }) => [
        r.suite,
        r.name,
        r.value,
      ]),
    ).toEqual([
      ['plan', 'plan a', 1],
      ['load', 'load a', 30],
      ['slack', 'slack a', 5],
    ]);
    expect(Object.keys(results.suites)).toEqual(ORDER);
    expect(() => assertComplete(results)).not.toThrow();
  });

  it('a file from before per-suite results, or not JSON, is started afresh', () => {
    writeFileSync(file, JSON.stringify({ measuredAt: 'x', machine: 'y', rows: [row('old', 1)] }));
    expect(readResults(file)).toBeNull();
    recordSuite(file, ORDER, 'load', [row('load a', 3)], at('2026-01-01T00:00:00Z'));
    expect(onDisk().rows.map((r: { name: string }) => r.name)).toEqual(['load a']);
    writeFileSync(file, '{"rows": [');
    expect(readResults(file)).toBeNull();
  });

  it('an unknown suite is refused by name', () => {
    expect(() => recordSuite(file, ORDER, 'lod', [], at('2026-01-01T00:00:00Z'))).toThrow(
      /unknown suite lod/,
    );
  });
});
