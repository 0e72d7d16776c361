import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Renders bench/results/latest.json (written by `npm run bench`) into README.md between the
 * `<!-- bench:start -->` and `<!-- bench:end -->` markers, with when and where it was measured.
 */
interface Results {
  measuredAt: string;
  machine: string;
  /** Written after every suite (bench/results.ts): `partial` lists the suites without rows. */
  status?: 'partial' | 'complete';
  missing?: string[];
  rows: Array<{ name: string; value: number; unit: string; target?: string; note?: string }>;
}

/** A table with suites missing would read as the whole benchmark: refused, naming them. */
export function assertComplete(results: Results): void {
  if (results.status === 'partial')
    throw new Error(
      `bench/results/latest.json is partial: no rows yet for ${(results.missing ?? []).join(', ')}; run those suites (BENCH_ONLY=${(results.missing ?? []).join(',')}) or all of them first`,
    );
}

/**
 * What numbers measured on one machine against local emulators can and cannot say about AWS;
 * printed with every table so no row is read as a deployed latency.
 */
export const LOCAL_NUMBERS_NOTE = [
  'What these numbers can say: how much work Tourniquet itself does: API calls and round trips per',
  'containment, store reads and writes and StartExecution calls per finding, failures under',
  'bursts and injected conflicts, plan throughput on one core, bundle sizes and cold init over',
  'the same SDK clients alone. What they cannot say: latency or throughput in AWS. moto and the',
  'simulators answer in-process on loopback and serialise requests, so findings/s is a floor set',
  "by moto, not DynamoDB's or Step Functions' capacity; cold init here is a local Node process,",
  "not Lambda's. Time-to-contain in AWS is dominated by GuardDuty's own delivery delay (new",
  'findings reach EventBridge within about five minutes) plus the EventBridge, Lambda and Step',
  'Functions hops, none of which runs here.',
].join('\n');

export function benchSection(results: Results): string {
  const lines = [
    `Measured ${results.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${results.machine} by \`npm run bench\` (raw: \`bench/results/latest.json\`).`,
    '',
    LOCAL_NUMBERS_NOTE,
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
  assertComplete(results);
  const readme = join(root, 'README.md');
  writeFileSync(readme, withBenchSection(readFileSync(readme, 'utf8'), benchSection(results)));
  process.stdout.write('README.md: performance section updated\n');
}
