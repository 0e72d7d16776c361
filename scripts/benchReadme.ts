import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Renders bench/results/latest.json (written by `npm run bench`) into README.md between the
 * `<!-- bench:start -->` and `<!-- bench:end -->` markers, with when and where it was measured.
 */
interface Results {
  measuredAt: string;
  machine: string;
  rows: Array<{ name: string; value: number; unit: string; target?: string; note?: string }>;
}

export function benchSection(results: Results): string {
  const lines = [
    `Measured ${results.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${results.machine} by \`npm run bench\` (raw: \`bench/results/latest.json\`).`,
    '',
    '| measure | value | target | note |',
    '|---|---|---|---|',
    ...results.rows.map(
      (r) =>
        `| ${r.name} | ${r.value.toLocaleString('en-US')} ${r.unit} | ${r.target ?? ''} | ${r.note ?? ''} |`,
    ),
  ];
  return lines.join('\n');
}

export function withBenchSection(readme: string, section: string): string {
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from)
    throw new Error('README.md has no <!-- bench:start --> … <!-- bench:end --> section');
  return `${readme.slice(0, from + start.length)}\n${section}\n${readme.slice(to)}`;
}

if (process.argv[1]?.endsWith('benchReadme.ts')) {
  const root = process.cwd();
  const results = JSON.parse(
    readFileSync(join(root, 'bench/results/latest.json'), 'utf8'),
  ) as Results;
  const readme = join(root, 'README.md');
  writeFileSync(readme, withBenchSection(readFileSync(readme, 'utf8'), benchSection(results)));
  process.stdout.write('README.md: performance section updated\n');
}
