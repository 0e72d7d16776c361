import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentEvent } from '@tourniquet/aws';
import { describe, expect, it } from 'vitest';
import { FileIncidentStore } from '../src/fileIncidentStore';
import { main } from '../src/main';

const opened: IncidentEvent = {
  type: 'opened',
  title: 'Execution:Runtime/ReverseShell on pod payments/api-0',
  severity: 'HIGH',
  account: '111122223333',
  region: 'us-east-1',
  cluster: 'prod-eks-01',
  subject: 'pod payments/api-0',
};
const isolated = (mode: 'apply' | 'undo'): IncidentEvent => ({
  type: 'actions-recorded',
  runId: `run-${mode}`,
  playbook: mode === 'apply' ? 'contain-pod' : 'release',
  mode,
  outcomes: [
    {
      stepKey: 'isolatePod',
      action: 'isolate-pod',
      status: 'applied',
      target: 'pod/payments/api-0',
      detail: '',
      changes: [],
      undo: null,
      data: null,
    },
  ],
});
const meta = { actor: 'test', at: new Date().toISOString() };

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: '/',
  });
  return { code, stdout, stderr };
}

describe('CLI: tourniquet resolve', () => {
  it('refuses while containment is in force, resolves once released, audits who and why', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tourniquet-resolve-')), 'incidents.json');
    const store = await FileIncidentStore.open(file);
    const key = '111122223333:us-east-1:prod-eks-01:pod:payments/api-0';
    let head = await store.append(key, null, [opened, isolated('apply')], meta);

    const refused = await run(['resolve', head.id, '--reason', 'false positive', '--store', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /still has containment in force \(isolate-pod\): release it first/,
    );
    expect((await store.head(key))?.status).not.toBe('resolved');

    head = await store.append(key, head, [isolated('undo')], meta);
    const resolved = await run(['resolve', head.id, '--reason', 'false positive', '--store', file]);
    expect(resolved.code).toBe(0);
    const record = await (await FileIncidentStore.open(file)).get(key);
    expect(record?.incident.status).toBe('resolved');
    expect(record?.audit.at(-1)?.summary ?? '').toMatch(/false positive/);
  });

  it('needs a reason, and an unknown incident exits 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tourniquet-resolve-')), 'incidents.json');
    await FileIncidentStore.open(file);
    expect((await run(['resolve', 'tq-0000000000000000', '--store', file])).code).toBe(64);
    const unknown = await run(['resolve', 'tq-0000000000000000', '--reason', 'x', '--store', file]);
    expect(unknown.code).toBe(2);
  });
});
