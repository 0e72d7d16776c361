import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { BenchRow } from './stats';

/**
 * bench/results/latest.json, rewritten after every suite: a run that is killed keeps the suites
 * it finished, and a run of some suites (BENCH_ONLY) keeps the others' last rows beside its own.
 */
export interface BenchResults {
  /** `complete` once every suite has rows in the file; `partial` names those without. */
  status: 'partial' | 'complete';
  missing: string[];
  /** When the file was last written, and on what machine. */
  measuredAt: string;
  machine: string;
  /** When and where each suite's rows were measured. */
  suites: Record<string, { measuredAt: string; machine: string }>;
  rows: Array<BenchRow & { suite: string }>;
}

/**
 * The file as it was (`previous`, null when absent or not of this shape) with one suite's rows
 * replaced by `rows`, in the order of `order` (every suite's name).
 */
export function mergeSuite(
  previous: BenchResults | null,
  order: readonly string[],
  suite: string,
  rows: readonly BenchRow[],
  at: { measuredAt: string; machine: string },
): BenchResults {
  if (!order.includes(suite)) throw new Error(`bench: unknown suite ${suite}`);
  const known = (name: string) => order.includes(name);
  const suites = Object.fromEntries(
    Object.entries(previous?.suites ?? {}).filter(([name]) => known(name) && name !== suite),
  );
  suites[suite] = at;
  const kept = (previous?.rows ?? []).filter((r) => r.suite !== suite && r.suite in suites);
  const all = [...kept, ...rows.map((r) => ({ ...r, suite }))];
  const rank = (name: string) => order.indexOf(name);
  // A stable sort: within a suite the rows stay in the order the suite gave them.
  all.sort((a, b) => rank(a.suite) - rank(b.suite));
  const missing = order.filter((name) => !(name in suites));
  return {
    status: missing.length === 0 ? 'complete' : 'partial',
    missing,
    measuredAt: at.measuredAt,
    machine: at.machine,
    suites: Object.fromEntries(Object.entries(suites).sort(([a], [b]) => rank(a) - rank(b))),
    rows: all,
  };
}

/** The results file, or null when there is none or it predates per-suite results. */
export function readResults(file: string): BenchResults | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults>;
    if (!parsed.suites || !Array.isArray(parsed.rows)) return null;
    if (!parsed.rows.every((r) => typeof r?.suite === 'string')) return null;
    return parsed as BenchResults;
  } catch {
    return null;
  }
}

/** Merges one suite's rows into the file; written beside it and renamed, so a kill mid-write loses nothing. */
export function recordSuite(
  file: string,
  order: readonly string[],
  suite: string,
  rows: readonly BenchRow[],
  at: { measuredAt: string; machine: string },
): BenchResults {
  const results = mergeSuite(readResults(file), order, suite, rows, at);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(temporary, file);
  return results;
}
