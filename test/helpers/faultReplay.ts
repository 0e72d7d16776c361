import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { createAwsClients } from '@tourniquet/aws';
import { readEventInputs } from '@tourniquet/cli';
import {
  createPlanner,
  functionArnsFor,
  normaliseEvent,
  playbookDefinition,
  releasableFromJournal,
  releaseInput,
} from '@tourniquet/core';
import {
  approveAll,
  LOCAL_CREDENTIALS,
  type LocalWorld,
  MemoryTicketDesk,
  type ReplayRecord,
  replay,
  runPlaybookLocally,
} from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, sampleConfig } from './events';
import { containmentState, worldState } from './worldState';

const config = sampleConfig();
const functions = functionArnsFor('tourniquet');

/** Retries a read that crosses the fault proxy (the SDK's own retries can all be faulted). */
async function persist<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 8) throw error;
    }
  }
}

/**
 * Releases every incident from its step journal, under the same faults: a release that fails
 * (escalated) is run again, as an operator would, until its journal has nothing left.
 */
async function releaseEverything(
  world: LocalWorld,
  findings: Map<string, ReturnType<typeof normaliseEvent>>,
) {
  const outcomes: string[] = [];
  for (const [key, { raw: _raw, ...finding }] of findings) {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const steps = releasableFromJournal(await persist(() => world.journal.list(key)));
      if (steps.length === 0) break;
      const run = await runPlaybookLocally(
        playbookDefinition('release', functions),
        releaseInput(key, finding, steps),
        { runtime: world.runtime(), functions, approver: approveAll, desk: new MemoryTicketDesk() },
      );
      outcomes.push(`${key}: ${run.status}`);
    }
  }
  return outcomes;
}

/**
 * Every sample event replayed with a share (`rate`) of the emulators' answers replaced by
 * throttling, 5xx, timeouts, dropped connections and lost responses (applied, answer never
 * delivered): the pipeline must converge anyway, and a release afterwards must put everything
 * back. `minApplied`: pods isolated and nodes cordoned in at least this many incidents each.
 */
export function faultReplaySuite(rate: number, minApplied: number): void {
  describe(`Replay of every sample event at ${rate} fault rate`, () => {
    it('each incident ends contained, denied or escalated with a ticket; nothing applied twice; release restores every pod, node, ENI and role exactly', async () => {
      const records: ReplayRecord[] = [];
      const inputs = await readEventInputs(['events'], REPO_ROOT);
      let before: Awaited<ReturnType<typeof worldState>> | null = null;
      const { world, desk } = await replay({
        inputs,
        config,
        approver: approveAll,
        // A timeout fault holds its request, then answers 504: no client here gives up sooner, so
        // a short hold exercises the same retries as a long one without waiting on the clock.
        faults: { rate, seed: Math.round(rate * 1000), timeoutMs: 20 },
        keepWorld: true,
        onReady: async (w) => {
          before = await worldState(w);
        },
        onRecord: (r) => records.push(r),
        onRejected: (source, problem) => {
          throw new Error(`${source} rejected: ${problem}`);
        },
      });
      if (!world || !before) throw new Error('the replay returned no world');
      try {
        expect(records).toHaveLength(inputs.length);
        const faults = world.faultProxies.reduce(
          (n, p) => n + Object.values(p.stats.faults).reduce((a, b) => a + b, 0),
          0,
        );
        expect(faults).toBeGreaterThan(rate * 100);
        const lost = world.faultProxies.reduce((n, p) => n + p.stats.faults['lost-response'], 0);
        expect(lost).toBeGreaterThan(0);

        const contained = records.filter((r) => r.playbook);
        expect(
          contained.filter((r) => !['SUCCEEDED', 'DENIED', 'FAILED'].includes(r.status)),
        ).toEqual([]);
        expect(contained.filter((r) => !r.state?.ticket).map((r) => r.file)).toEqual([]);
        // Most incidents converge despite the faults: escalation is the exception, not the rule.
        const failed = contained.filter((r) => r.status === 'FAILED');
        const succeeded = contained.filter((r) => r.status === 'SUCCEEDED');
        expect(succeeded.length).toBeGreaterThanOrEqual(Math.ceil(contained.length / 2));
        // Every escalated incident paged on-call naming what failed, and its ticket says so (a
        // dry-run incident has no ticket until the escalation opens one with this text).
        const escalation = (r: ReplayRecord) => {
          const page = desk.pages.find(
            (p) => p.incidentKey === r.incidentKey && p.reason === 'step-failed',
          );
          const ticket = desk.tickets.get(r.incidentKey);
          return {
            file: r.file,
            paged: Object.keys(page?.failures ?? {}).length > 0,
            ticketSaysSo: /steps failed/.test(
              [ticket?.title, ...(ticket?.comments ?? [])].join('\n'),
            ),
          };
        };
        expect(failed.map(escalation)).toEqual(
          failed.map((r) => ({ file: r.file, paged: true, ticketSaysSo: true })),
        );
        // What the outcomes say was applied is what the emulators hold, and it happened: pods
        // isolated and nodes cordoned in at least one incident each.
        const applied = (action: string) =>
          contained.filter((r) =>
            r.actions.some((a) => a.action === action && a.status === 'applied'),
          );
        const isolated = applied('isolate-pod');
        const cordoned = applied('cordon-node');
        expect(isolated.length).toBeGreaterThanOrEqual(minApplied);
        expect(cordoned.length).toBeGreaterThanOrEqual(minApplied);
        expect(isolated.filter((r) => r.state?.pod?.isolated !== true).map((r) => r.file)).toEqual(
          [],
        );
        expect(
          cordoned.filter((r) => r.state?.node?.schedulable !== false).map((r) => r.file),
        ).toEqual([]);

        // Nothing applied twice: one evidence snapshot per volume and incident.
        const moto = createAwsClients('us-east-1', {
          endpoint: world.moto.endpoint,
          credentials: LOCAL_CREDENTIALS,
        });
        const { Snapshots = [] } = await moto.ec2.send(
          new DescribeSnapshotsCommand({ OwnerIds: ['self'] }),
        );
        const perVolumeAndIncident = new Map<string, number>();
        for (const s of Snapshots) {
          const incident = s.Tags?.find((t) => t.Key === 'tourniquet.io/incident')?.Value;
          if (!incident) continue;
          const key = `${s.VolumeId}/${incident}`;
          perVolumeAndIncident.set(key, (perVolumeAndIncident.get(key) ?? 0) + 1);
        }
        expect(perVolumeAndIncident.size).toBeGreaterThan(0);
        expect([...perVolumeAndIncident.entries()].filter(([, n]) => n !== 1)).toEqual([]);

        // Something was contained, so there is something to release.
        expect(await worldState(world)).not.toEqual(before);
        const planner = createPlanner(world.config);
        const findings = new Map<string, ReturnType<typeof normaliseEvent>>();
        for (const input of inputs) {
          if ('error' in input) continue;
          const plan = planner.plan(normaliseEvent(world.seeded.translate(input.event)));
          if (plan.playbook) findings.set(plan.incidentKey, plan.finding);
        }
        const releases = await releaseEverything(world, findings);
        expect(releases.length).toBeGreaterThan(0);
        const after = await worldState(world);
        expect(containmentState(after)).toEqual(containmentState(before));
      } finally {
        await world.stop();
      }
      // Every sample event with each approval step resolved before its request, then a release of
      // every incident, all through faults with retries: a few minutes on a loaded two-core machine.
    }, 300_000);
  });
}
