import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIsoTimestamp } from '../src/events/isoTimestamp';

const viaDate = (text: string) => {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

describe('Timestamps: the ISO-8601 fast path', () => {
  it.each([
    ['2026-11-23T10:00:00Z', '2026-11-23T10:00:00.000Z'],
    ['2026-11-23T10:00:00.123Z', '2026-11-23T10:00:00.123Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
  ])('%s is already normal: %s', (text, expected) => {
    expect(canonicalIsoTimestamp(text)).toBe(expected);
    expect(viaDate(text)).toBe(expected);
  });

  it.each([
    // Date rolls these over (2 March, the next day): the fast path leaves them to Date.
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-11-23T24:00:00Z',
    '2026-11-23T10:00:60Z',
    '2026-11-23T10:00:00.5Z',
    '2026-11-23T10:00:00+00:00',
    '2026-11-23 10:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-1a-01T00:00:00Z',
  ])('%s is left to the Date path', (text) => {
    expect(canonicalIsoTimestamp(text)).toBeNull();
  });

  it('whenever it answers, it answers what Date answers', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const candidate = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.option(fc.integer({ min: 0, max: 999 })),
      )
      .map(
        ([y, mo, d, h, mi, s, ms]) =>
          `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${ms === null ? '' : `.${pad(ms, 3)}`}Z`,
      );
    fc.assert(
      fc.property(fc.oneof(candidate, fc.string({ maxLength: 30 })), (text) => {
        const fast = canonicalIsoTimestamp(text);
        if (fast !== null) expect(fast).toBe(viaDate(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('a valid strict timestamp takes the fast path', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0000-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const iso = date.toISOString();
          expect(canonicalIsoTimestamp(iso)).toBe(iso);
          expect(canonicalIsoTimestamp(`${iso.slice(0, 19)}Z`)).toBe(`${iso.slice(0, 19)}.000Z`);
        },
      ),
    );
  });
});
