import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { parseConfig } from '@tourniquet/core';
import { approveAll, type ReplayRecord, readEventInputs, replay } from '@tourniquet/local';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';

const config = parseConfig(
  JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
);

/**
 * Every sample event replayed with a share of the emulators' answers replaced by throttling,
 * 5xx, timeouts and dropped connections: the pipeline must converge anyway.
 */
describe.each([0.1, 0.3])('Replay of every sample event at %s fault rate', (rate) => {
  it('each incident ends contained, denied or escalated with a ticket; nothing applied twice; nothing half-done unsaid', async () => {
    const records: ReplayRecord[] = [];
    const inputs = await readEventInputs(['events'], REPO_ROOT);
    const { world, desk } = await replay({
      inputs,
      config,
      approver: approveAll,
      faults: { rate, seed: Math.round(rate * 1000) },
      keepWorld: true,
      onRecord: (r) => records.push(r),
      onRejected: (source, problem) => {
        throw new Error(`${source} rejected: ${problem}`);
      },
    });
    try {
      expect(records).toHaveLength(inputs.length);
      const faults =
        world?.faultProxies.reduce(
          (n, p) => n + Object.values(p.stats.faults).reduce((a, b) => a + b, 0),
          0,
        ) ?? 0;
      expect(faults).toBeGreaterThan(rate * 100);

      for (const record of records.filter((r) => r.playbook)) {
        expect(['SUCCEEDED', 'DENIED', 'FAILED']).toContain(record.status);
        expect(record.state?.ticket, record.file).toBeTruthy();
        if (record.status === 'FAILED') {
          // Escalated: on-call was paged and the ticket says what failed.
          const page = desk.pages.find(
            (p) => p.incidentKey === record.incidentKey && p.reason === 'step-failed',
          );
          expect(page?.failure?.Error, record.file).toBeTruthy();
          expect(desk.tickets.get(record.incidentKey)?.title ?? '').toMatch(/step failed/);
        }
        const isolated = record.actions.find(
          (a) => a.action === 'isolate-pod' && a.status === 'applied',
        );
        if (isolated) expect(record.state?.pod?.isolated, record.file).toBe(true);
        const cordoned = record.actions.find(
          (a) => a.action === 'cordon-node' && a.status === 'applied',
        );
        if (cordoned) expect(record.state?.node?.schedulable, record.file).toBe(false);
      }

      // Nothing applied twice: one evidence snapshot per volume and incident, one quarantine
      // policy per incident.
      const { Snapshots = [] } = await world!
        .aws('us-east-1')
        .ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
      const perVolumeAndIncident = new Map<string, number>();
      for (const s of Snapshots) {
        const incident = s.Tags?.find((t) => t.Key === 'tourniquet.io/incident')?.Value;
        if (!incident) continue;
        const key = `${s.VolumeId}/${incident}`;
        perVolumeAndIncident.set(key, (perVolumeAndIncident.get(key) ?? 0) + 1);
      }
      expect(perVolumeAndIncident.size).toBeGreaterThan(0);
      expect([...perVolumeAndIncident.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      const policies = world!
        .simulator('prod-eks-01')
        .list('networking.k8s.io/v1', 'NetworkPolicy')
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      expect(new Set(policies).size).toBe(policies.length);
    } finally {
      await world?.stop();
    }
    // Every sample event, each approval step also resolved before its request, through faults
    // with retries: about a minute on a loaded two-core machine.
  }, 180_000);
});
