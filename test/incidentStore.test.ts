import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTimeToLiveCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoIncidentStore,
  ensureIncidentTable,
  type IncidentEvent,
  type IncidentStore,
  IncidentVersionConflictError,
  MemoryIncidentStore,
  updateIncident,
} from '@tourniquet/aws';
import { FileIncidentStore } from '@tourniquet/cli';
import { beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from './helpers/moto';

const opened: IncidentEvent = {
  type: 'opened',
  title: 'Execution:Runtime/ReverseShell on pod payments/api',
  severity: 'HIGH',
  account: '111122223333',
  region: 'us-east-1',
  cluster: 'prod-eks-01',
  subject: 'pod payments/api',
};
const seen = (count: number, eventId: string): IncidentEvent => ({
  type: 'finding-seen',
  eventId,
  finding: {
    id: 'f-1',
    origin: 'guardduty',
    type: 'Execution:Runtime/ReverseShell',
    title: 'Reverse shell',
    severity: count > 5 ? 'CRITICAL' : 'HIGH',
    count,
    firstSeen: '2026-11-23T10:00:00.000Z',
    lastSeen: `2026-11-23T10:${String(count).padStart(2, '0')}:00.000Z`,
    securityHubId: null,
  },
});
const meta = (actor = 'test') => ({ actor, at: new Date().toISOString() });

/**
 * One contract, three stores: DynamoDB (against moto), the local JSON file and memory. Every
 * change is a conditional append; the audit trail is gap-free and ordered.
 */
describe('Incident store', () => {
  const moto = useMoto();
  let dynamo: DynamoDBClient;
  const table = 'tourniquet-incidents';
  beforeAll(async () => {
    dynamo = new DynamoDBClient(moto());
    await ensureIncidentTable(dynamo, table);
  });

  const stores: Array<[string, () => Promise<IncidentStore>]> = [
    ['DynamoDB (moto)', async () => new DynamoIncidentStore({ client: dynamo, tableName: table })],
    [
      'file',
      () =>
        FileIncidentStore.open(
          join(mkdtempSync(join(tmpdir(), 'tq-incidents-')), 'incidents.json'),
        ),
    ],
    ['memory', async () => new MemoryIncidentStore()],
  ];
  let n = 0;
  const newKey = () => `111122223333:us-east-1:prod-eks-01:pod:payments/api-${++n}`;

  describe.each(stores)('%s', (name, open) => {
    it('opens an incident and folds events into it, one audit entry per event', async () => {
      const store = await open();
      const key = newKey();
      const head = await store.append(key, null, [opened, seen(1, 'e-1')], meta('triage'));
      expect(head).toMatchObject({ key, version: 2, status: 'open', severity: 'HIGH' });
      expect(head.id).toMatch(/^tq-[0-9a-f]{16}$/);
      const record = await store.get(key);
      expect(record?.audit.map((a) => [a.seq, a.type, a.actor])).toEqual([
        [1, 'opened', 'triage'],
        [2, 'finding-seen', 'triage'],
      ]);
      expect(await store.head(key)).toEqual(head);
    });

    it('refuses a change decided on a stale version (conditional write), and a second open', async () => {
      const store = await open();
      const key = newKey();
      const first = await store.append(key, null, [opened], meta());
      await store.append(key, first, [seen(1, 'e-1')], meta());
      await expect(store.append(key, first, [seen(2, 'e-2')], meta())).rejects.toBeInstanceOf(
        IncidentVersionConflictError,
      );
      await expect(store.append(key, null, [opened], meta())).rejects.toBeInstanceOf(
        IncidentVersionConflictError,
      );
      expect((await store.get(key))?.audit).toHaveLength(2);
    });

    it('concurrent writers all land, in one gap-free order (read → decide → conditional append)', async () => {
      const store = await open();
      const key = newKey();
      await store.append(key, null, [opened], meta());
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          updateIncident(store, key, () => [seen(i + 1, `e-${i + 1}`)], { actor: `writer-${i}` }),
        ),
      );
      const record = await store.get(key);
      const audit = record?.audit ?? [];
      expect(audit.map((a) => a.seq)).toEqual(
        Array.from({ length: audit.length }, (_, i) => i + 1),
      );
      if (name.startsWith('DynamoDB')) {
        // Repeat sightings that change nothing but counters are delivery items and tallies,
        // not audit entries: only the opening, the first sighting and severity changes are.
        expect(audit.length).toBeLessThan(13);
      } else {
        expect(audit).toHaveLength(13);
        expect(record?.incident.deliveries).toHaveLength(12);
      }
      expect(record?.incident.findings['f-1']).toMatchObject({
        count: 12,
        deliveries: 12,
        firstSeen: '2026-11-23T10:00:00.000Z',
        lastSeen: '2026-11-23T10:12:00.000Z',
      });
      expect(record?.incident.severity).toBe('CRITICAL');
    });

    it('keeps action outcomes with their undo data, and what is in force', async () => {
      const store = await open();
      const key = newKey();
      const outcome = {
        stepKey: 'isolatePod',
        action: 'isolate-pod',
        status: 'applied',
        target: 'pod/payments/api',
        detail: 'isolated by security-group',
        changes: ['eni-1: sg-a → sg-q'],
        undo: { eni: 'eni-1', groups: ['sg-a'] },
        data: { mechanisms: ['security-group'] },
      };
      const head = await store.append(key, null, [opened], meta());
      const after = await store.append(
        key,
        head,
        [
          {
            type: 'actions-recorded',
            runId: 'run-1',
            playbook: 'contain-pod',
            mode: 'apply',
            outcomes: [outcome],
          },
        ],
        meta('open-ticket'),
      );
      expect(after.inForce).toEqual(['isolate-pod']);
      expect(after.runs).toEqual(['run-1']);
      const record = await store.get(key);
      expect(record?.actions).toEqual([
        expect.objectContaining({ ...outcome, seq: 2, runId: 'run-1', mode: 'apply' }),
      ]);
      expect(record?.audit[1]?.data).toMatchObject({
        outcomes: [{ action: 'isolate-pod', status: 'applied', undoSaved: true }],
      });
    });

    it('moves status only along allowed transitions; a refused move writes nothing', async () => {
      const store = await open();
      const key = newKey();
      let head = await store.append(key, null, [opened], meta());
      head = await store.append(
        key,
        head,
        [{ type: 'status-changed', to: 'resolved', reason: 'done' }],
        meta(),
      );
      await expect(
        store.append(
          key,
          head,
          [{ type: 'status-changed', to: 'contained', reason: 'late' }],
          meta(),
        ),
      ).rejects.toMatchObject({ name: 'IncidentTransitionError' });
      expect((await store.head(key))?.version).toBe(2);
      const reopened = await store.append(
        key,
        head,
        [{ type: 'status-changed', to: 'open', reason: 'new finding' }],
        meta(),
      );
      expect(reopened.status).toBe('open');
    });

    it('lists incidents by status, most recently changed first', async () => {
      const store = await open();
      const a = newKey();
      const b = newKey();
      const ha = await store.append(a, null, [opened], meta());
      await store.append(b, null, [opened], meta());
      await store.append(
        a,
        ha,
        [{ type: 'status-changed', to: 'contained', reason: 'isolated' }],
        meta(),
      );
      const contained = await store.list({ status: 'contained' });
      expect(contained.map((h) => h.key)).toContain(a);
      expect(contained.map((h) => h.key)).not.toContain(b);
      const all = (await store.list()).map((h) => h.key);
      expect(all.indexOf(a)).toBeLessThan(all.indexOf(b));
    });
  });

  it('DynamoDB: TTL is on the table, and no incident item carries it (only transient items do)', async () => {
    const { TimeToLiveDescription } = await dynamo.send(
      new DescribeTimeToLiveCommand({ TableName: table }),
    );
    expect(TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiration',
    });
    const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: table }));
    const incidentItems = Items.filter((i) => i.pk?.S?.startsWith('INCIDENT#'));
    expect(incidentItems.length).toBeGreaterThan(0);
    expect(incidentItems.filter((i) => i.expiration)).toEqual([]);
  });

  it('file store: a second process sees what the first wrote', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tq-incidents-')), 'incidents.json');
    const writer = await FileIncidentStore.open(path);
    const key = newKey();
    await writer.append(key, null, [opened, seen(1, 'e-1')], meta());
    const reader = await FileIncidentStore.open(path);
    expect((await reader.get(key))?.audit).toHaveLength(2);
    expect(await (await FileIncidentStore.open(path, { reset: true })).list()).toEqual([]);
  });
});
