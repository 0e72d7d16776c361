import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@tourniquet/cli';
import {
  createPlanner,
  EventValidationError,
  normaliseEvent,
  parseConfig,
  UnrecognisedEventError,
} from '@tourniquet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allEventFiles, loadEvent, REPO_ROOT } from './helpers/events';

const config = parseConfig(
  JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
);
const planner = createPlanner(config);
const samples = allEventFiles().map((f) => loadEvent(f));

/** Every dotted path to a leaf or an object in a sample, for mutation. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

const hostile = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constant('x'.repeat(100_000)),
  fc.constant('kube-system'),
  fc.constant('*'),
  fc.constant('999999999999'),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.constant({ __proto__: { polluted: true } }),
  fc.constant(
    JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    ),
  ),
  fc.anything({ maxDepth: 4 }),
  fc.constant(Array.from({ length: 200 }).reduce((acc: unknown) => ({ nested: acc }), {})),
);

/** Applies a mutation (set or delete) at a path of a clone. */
function mutate(event: unknown, path: string[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(event) as Record<string, unknown>;
  let node: any = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path.at(-1) as string;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

const mutation = fc.integer({ min: 0, max: samples.length - 1 }).chain((i) => {
  const event = samples[i];
  const all = paths(event);
  return fc.record({
    event: fc.constant(event),
    path: fc.constantFrom(...all),
    value: hostile,
    remove: fc.boolean(),
  });
});

describe('Hostile and malformed events (fast-check)', () => {
  it('never crash: always a Finding + Plan, or a clear rejection naming the problem', () => {
    fc.assert(
      fc.property(mutation, ({ event, path, value, remove }) => {
        const mutated = mutate(event, path, value, remove);
        try {
          const plan = planner.plan(normaliseEvent(mutated));
          expect(typeof plan.reason).toBe('string');
          if (plan.playbook) expect(plan.steps.at(-1)?.action).toBe('open-ticket');
        } catch (error) {
          if (!(error instanceof EventValidationError || error instanceof UnrecognisedEventError))
            throw error;
          expect(error.message.length).toBeGreaterThan(10);
          expect(error.message.length).toBeLessThan(2000);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('events targeting protected namespaces, other accounts or unknown clusters do nothing destructive', () => {
    const destructive = new Set([
      'cordon-node',
      'isolate-node',
      'revoke-role-sessions',
      'block-web-identity',
      'disable-public-endpoint',
      'revoke-open-ingress',
      'isolate-pod',
      'label-pod',
    ]);
    const podFindings = samples.filter(
      (e) =>
        e.source === 'aws.guardduty' &&
        e.detail?.resource?.kubernetesDetails?.kubernetesWorkloadDetails?.type === 'pods',
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...podFindings),
        fc.oneof(
          fc.record({
            kind: fc.constant('namespace'),
            value: fc.constantFrom(...config.protectedNamespaces),
          }),
          fc.record({
            kind: fc.constant('account'),
            value: fc.stringMatching(/^\d{12}$/).filter((a) => a !== '111122223333'),
          }),
          fc.record({
            kind: fc.constant('cluster'),
            value: fc
              .stringMatching(/^[a-z][a-z0-9-]{2,20}$/)
              .filter((c) => !config.clusters.some((k) => k.name === c)),
          }),
        ),
        (event, target) => {
          const forged = structuredClone(event);
          if (target.kind === 'namespace')
            forged.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.namespace =
              target.value;
          if (target.kind === 'account') forged.detail.accountId = target.value;
          if (target.kind === 'cluster') {
            forged.detail.resource.eksClusterDetails.name = target.value;
            forged.detail.resource.instanceDetails = null;
          }
          const plan = planner.plan(normaliseEvent(forged));
          expect(plan.steps.filter((s) => destructive.has(s.action))).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the plan CLI answers every mutated file with a plan (exit 0) or one stderr line (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-property-'));
    await fc.assert(
      // Mutations below the root: a root array is several events (one line each) by design.
      fc.asyncProperty(
        mutation.filter((m) => m.path.length > 0),
        async ({ event, path, value, remove }) => {
          const text = JSON.stringify(mutate(event, path, value, remove)) ?? 'undefined';
          writeFileSync(join(dir, 'event.json'), text);
          let stdout = '';
          let stderr = '';
          const code = await main(['plan', '--json', 'event.json'], {
            stdout: (t) => (stdout += t),
            stderr: (t) => (stderr += t),
            cwd: dir,
          });
          if (code === 0) {
            expect(JSON.parse(stdout).file).toBe('event.json');
            expect(stderr).toBe('');
          } else {
            expect(code).toBe(2);
            expect(stdout).toBe('');
            expect(stderr.trim().split('\n')).toHaveLength(1);
            expect(stderr.startsWith('event.json')).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
