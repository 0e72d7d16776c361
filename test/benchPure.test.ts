import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionRowName, ROW } from '../bench/rowNames';
import { chainOf, type TimedCall, tripDepth } from '../bench/tripDepth';
import { entryOf } from '../infra/functionEntries';
import { FUNCTION_NAMES } from '../infra/permissions';
import { benchSection } from '../scripts/benchReadme';
import { REPO_ROOT } from './helpers/events';

const call = (name: string, start: number, end: number): TimedCall => ({ name, start, end });

describe('Bench: round trips on the critical path', () => {
  it('calls one after another are one trip each', () => {
    expect(tripDepth([call('a', 0, 10), call('b', 10, 20), call('c', 21, 30)])).toBe(3);
  });

  it('overlapping calls count once', () => {
    expect(tripDepth([call('a', 0, 10), call('b', 2, 12), call('c', 5, 9)])).toBe(1);
  });

  it('a fan-out between two sequential calls adds one trip, whatever its width', () => {
    const calls = [
      call('read', 0, 10),
      call('patch-1', 11, 20),
      call('patch-2', 11, 25),
      call('patch-3', 12, 18),
      call('verify', 26, 30),
    ];
    expect(tripDepth(calls)).toBe(3);
    const chain = chainOf(calls, () => 1).map((c) => c.name);
    expect([chain[0], chain.length, chain[2]]).toEqual(['read', 3, 'verify']);
  });

  it('the longest chain wins over the one that ends last', () => {
    // a → b → c is three trips; d runs alongside all of them.
    const calls = [call('a', 0, 5), call('b', 6, 10), call('c', 11, 15), call('d', 0, 16)];
    expect(tripDepth(calls)).toBe(3);
  });

  it('no calls, no trips', () => {
    expect(tripDepth([])).toBe(0);
  });
});

describe('Bench: row names', () => {
  it('the rows other tools read keep their names', () => {
    expect([
      ROW.bundle('triage'),
      ROW.zip('triage'),
      ROW.coldInit('isolatePod'),
      ROW.coldInitOverFloor('isolatePod'),
      ROW.coldInitOverStackFloor('isolatePod'),
      ROW.isolateTripsCold,
      ROW.isolateTripsWarm,
      ROW.isolateApplyOverBackToBack,
      ROW.planEventsPerSecond,
      ROW.burstStartExecutionPerFinding,
    ]).toEqual([
      'bundle triage',
      'zip triage',
      'cold init isolatePod',
      'cold init isolatePod / floor',
      'cold init isolatePod / stack floor',
      'isolate-pod trips cold',
      'isolate-pod trips warm',
      'isolate-pod apply / back-to-back',
      'plan events/s',
      'burst StartExecution per finding',
    ]);
  });

  it('every function infra/ deploys has an entry file and a distinct row name', () => {
    const entries = FUNCTION_NAMES.map((name) => entryOf(name));
    for (const entry of entries) expect(existsSync(join(REPO_ROOT, entry)), entry).toBe(true);
    const names = entries.map(functionRowName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'triage',
        'decide',
        'escalate',
        'openTicket',
        'requestApproval',
        'slackInteractions',
        'isolatePod',
      ]),
    );
  });

  it('the README section says what local numbers cannot say about AWS', () => {
    const section = benchSection({
      measuredAt: '2026-11-30T12:00:00.000Z',
      machine: 'test',
      rows: [{ name: ROW.planEventsPerSecond, value: 150000, unit: 'events/s' }],
    });
    expect(section).toContain("GuardDuty's own delivery delay");
    expect(section).toContain('| plan events/s | 150,000 events/s |');
  });
});
