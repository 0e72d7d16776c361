import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoIncidentStore, ensureIncidentTable } from '@tourniquet/aws';
import { FileIncidentStore, main } from '@tourniquet/cli';
import type { IncidentEvent, IncidentStore } from '@tourniquet/core';
import { INCIDENT_CSV_COLUMNS } from '@tourniquet/tickets';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from './helpers/csvReader';
import { useMoto } from './helpers/moto';

const meta = { actor: 'test', at: '2026-11-30T10:00:00.000Z' };
const opened = (pod: string): IncidentEvent => ({
  type: 'opened',
  title: `Execution:Runtime/ReverseShell on pod payments/${pod}`,
  severity: 'HIGH',
  account: '111122223333',
  region: 'us-east-1',
  cluster: 'prod-eks-01',
  subject: `pod payments/${pod}`,
});
const isolated: IncidentEvent = {
  type: 'actions-recorded',
  runId: 'run-1',
  playbook: 'contain-pod',
  mode: 'apply',
  outcomes: [
    {
      stepKey: 'isolatePod',
      action: 'isolate-pod',
      status: 'applied',
      target: 'pod/payments/api-0',
      detail: 'isolated',
      changes: [],
      undo: null,
      data: null,
    },
  ],
};
const keyOf = (pod: string) => `111122223333:us-east-1:prod-eks-01:pod:payments/${pod}`;

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: '/',
  });
  return { code, stdout, stderr };
}

async function seed(store: IncidentStore) {
  await store.append(keyOf('api-0'), null, [opened('api-0'), isolated], meta);
  await store.append(keyOf('api-1'), null, [opened('api-1')], meta);
}

describe('CLI: tourniquet incidents export', () => {
  let file: string;

  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'tourniquet-export-')), 'incidents.json');
    await seed(await FileIncidentStore.open(file));
  });

  it('--format jsonl: one whole record per line (incident, actions, audit trail)', async () => {
    const { code, stdout, stderr } = await cli([
      'incidents',
      'export',
      '--format',
      'jsonl',
      '--store',
      file,
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.endsWith('\n')).toBe(true);
    const records = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.incident.key).sort()).toEqual([keyOf('api-0'), keyOf('api-1')]);
    const contained = records.find((r) => r.incident.key === keyOf('api-0'));
    expect(contained.actions.map((a: { action: string }) => a.action)).toEqual(['isolate-pod']);
    expect(contained.audit.length).toBeGreaterThan(0);
    expect(contained.incident.inForce).toEqual(['isolate-pod']);
  });

  it('--format csv: a header and one row per incident, as a CSV parser reads it', async () => {
    const { code, stdout } = await cli(['incidents', 'export', '--format', 'csv', '--store', file]);
    expect(code).toBe(0);
    const [header, ...rows] = readCsv(stdout);
    expect(header).toEqual(INCIDENT_CSV_COLUMNS.map(([h]) => h));
    expect(rows).toHaveLength(2);
    const column = (row: string[] | undefined, name: string) => row?.[header?.indexOf(name) ?? -1];
    const contained = rows.find((r) => column(r, 'key') === keyOf('api-0'));
    expect(column(contained, 'status')).toBe('open');
    expect(column(contained, 'subject')).toBe('pod payments/api-0');
    expect(column(contained, 'in_force')).toBe('isolate-pod');
    expect(column(contained, 'cluster')).toBe('prod-eks-01');
  });

  it('--status filters the export like the list', async () => {
    const csv = async (status: string) =>
      readCsv(
        (await cli(['incidents', 'export', '--format', 'csv', '--status', status, '--store', file]))
          .stdout,
      );
    expect(await csv('open')).toHaveLength(3);
    expect(await csv('resolved')).toHaveLength(1);
  });

  it('without --format, or with another, it is a usage error naming the formats', async () => {
    await expect(cli(['incidents', 'export', '--store', file])).resolves.toMatchObject({
      code: 64,
      stderr: expect.stringContaining('export needs --format jsonl or csv'),
    });
    await expect(
      cli(['incidents', 'export', '--format', 'xlsx', '--store', file]),
    ).resolves.toMatchObject({
      code: 64,
      stderr: expect.stringContaining("--format must be jsonl or csv, not 'xlsx'"),
    });
    await expect(
      cli(['incidents', 'list', '--format', 'csv', '--store', file]),
    ).resolves.toMatchObject({
      code: 64,
      stderr: expect.stringContaining('--format only applies to export'),
    });
  });

  describe('from a deployed incidents table (moto)', () => {
    const moto = useMoto();

    it('exports what the DynamoDB store holds', async () => {
      const { endpoint, region, credentials } = moto();
      const tableName = 'tourniquet-export-incidents';
      await ensureIncidentTable(new DynamoDBClient({ endpoint, region, credentials }), tableName);
      await seed(createDynamoIncidentStore({ tableName, region, endpoint, credentials }));
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      });
      try {
        const { code, stdout } = await cli([
          'incidents',
          'export',
          '--format',
          'jsonl',
          '--table',
          tableName,
          '--region',
          region,
        ]);
        expect(code).toBe(0);
        expect(
          stdout
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l).incident.key)
            .sort(),
        ).toEqual([keyOf('api-0'), keyOf('api-1')]);
      } finally {
        process.env = saved;
      }
    });
  });
});
