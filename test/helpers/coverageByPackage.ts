/**
 * Prints the coverage of `npm run coverage` per package (and functions/): statements, branches,
 * functions and lines, from the json-summary vitest's v8 provider wrote.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

type Metric = { total: number; covered: number };
type FileSummary = Record<'statements' | 'branches' | 'functions' | 'lines', Metric>;
const METRICS = ['statements', 'branches', 'functions', 'lines'] as const;

const root = join(import.meta.dirname, '..', '..');
const summaryPath = join(root, 'coverage', 'coverage-summary.json');
let summary: Record<string, FileSummary>;
try {
  summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
} catch (error) {
  throw new Error(`no coverage summary at ${summaryPath}: run \`npm run coverage\``, {
    cause: error,
  });
}

const byPackage = new Map<string, FileSummary>();
for (const [file, metrics] of Object.entries(summary)) {
  if (file === 'total') continue;
  const path = relative(root, file);
  const name = /^packages\/([^/]+)\//.exec(path)?.[1] ?? path.split('/')[0] ?? path;
  const sums =
    byPackage.get(name) ??
    (Object.fromEntries(METRICS.map((m) => [m, { total: 0, covered: 0 }])) as FileSummary);
  for (const m of METRICS) {
    sums[m].total += metrics[m].total;
    sums[m].covered += metrics[m].covered;
  }
  byPackage.set(name, sums);
}

const pct = ({ total, covered }: Metric) =>
  total === 0 ? '   -  ' : `${((100 * covered) / total).toFixed(1).padStart(5)}%`;
const rows = [...byPackage.entries()].sort(([a], [b]) => a.localeCompare(b));
if (summary.total) rows.push(['all', summary.total]);
process.stdout.write(
  `${'package'.padEnd(14)}${METRICS.map((m) => m.padStart(12)).join('')}\n${rows
    .map(([name, s]) => `${name.padEnd(14)}${METRICS.map((m) => pct(s[m]).padStart(12)).join('')}`)
    .join('\n')}\n`,
);
