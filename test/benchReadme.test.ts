import { describe, expect, it } from 'vitest';
import { benchSection, withBenchSection } from '../scripts/benchReadme';

describe('README performance section', () => {
  const results = {
    measuredAt: '2026-11-23T12:30:00.000Z',
    machine: 'AMD EPYC ×2, 24 GiB, Node v20.20.2',
    rows: [{ name: 'plan throughput', value: 81561, unit: 'events/s', target: '≥ 20000' }],
  };

  it('says when and where it was measured and lists every row', () => {
    const section = benchSection(results);
    expect(section).toContain(
      'Measured 2026-11-23 12:30 UTC on AMD EPYC ×2, 24 GiB, Node v20.20.2',
    );
    expect(section).toContain('| plan throughput | 81,561 events/s | ≥ 20000 |  |');
  });

  it('replaces only the marked section', () => {
    const readme = 'before\n<!-- bench:start -->\nold\n<!-- bench:end -->\nafter\n';
    expect(withBenchSection(readme, 'new')).toBe(
      'before\n<!-- bench:start -->\nnew\n<!-- bench:end -->\nafter\n',
    );
    expect(() => withBenchSection('no markers', 'new')).toThrow(/bench:start/);
  });
});
