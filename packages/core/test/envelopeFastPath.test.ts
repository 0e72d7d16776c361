import { allEventFiles, loadEvent } from '@tourniquet/core/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeSchema } from '../src/events/common';
import { envelopeFastPath } from '../src/events/envelopeFastPath';

const samples = allEventFiles().map((file) => loadEvent(file) as Record<string, unknown>);

/** The fast path answers exactly what the schema answers, or leaves the event to it. */
function agrees(event: Record<string, unknown>) {
  const fast = envelopeFastPath(event);
  const parsed = envelopeSchema.safeParse(event);
  if (fast === null) return;
  expect(parsed.success).toBe(true);
  expect(fast).toStrictEqual(parsed.data);
  // Same keys in the same order: what is logged or stored from it reads the same.
  expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
  expect(fast.detail).not.toBe(event.detail);
}

describe('Normalisers: the envelope fast path', () => {
  it.each(allEventFiles())('%s takes the fast path with the schema’s result', (file) => {
    const event = loadEvent(file) as Record<string, unknown>;
    expect(envelopeFastPath(event)).not.toBeNull();
    agrees(event);
  });

  it.each([
    ['an epoch-number time', { time: 1795428000 }],
    ['a time with an offset', { time: '2026-11-23T10:00:00+00:00' }],
    ['a numeric account', { account: 111122223333 }],
    ['an empty id', { id: '' }],
    ['a region that is not one', { region: 'mars' }],
    ['a detail array', { detail: [] }],
    ['a null detail', { detail: null }],
    ['a version number', { version: 0 }],
    ['resources as a string', { resources: 'arn:aws:eks:::cluster/x' }],
  ])('%s is left to the schema', (_name, change) => {
    const event = { ...(samples[0] as Record<string, unknown>), ...change };
    expect(envelopeFastPath(event)).toBeNull();
  });

  it('a detail with a __proto__ key or a symbol key is left to the schema', () => {
    const base = samples[0] as Record<string, unknown>;
    const proto = { ...base, detail: JSON.parse('{"__proto__": {"x": 1}, "a": 1}') };
    const symbol = { ...base, detail: { a: 1, [Symbol('s')]: 2 } };
    expect(envelopeFastPath(proto)).toBeNull();
    expect(envelopeFastPath(symbol)).toBeNull();
  });

  it('with any field replaced by anything, it agrees with the schema', () => {
    const fields = [
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.constantFrom(...fields),
        fc.oneof(fc.anything(), fc.string(), fc.constant(undefined)),
        fc.boolean(),
        (sample, field, value, remove) => {
          const event = { ...sample };
          if (remove) delete event[field];
          else event[field] = value;
          agrees(event);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
