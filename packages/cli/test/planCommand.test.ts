import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventCatalogue, loadEvent, REPO_ROOT } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main';
import type { PlanRecord } from '../src/planEvent';

async function run(args: string[], cwd = REPO_ROOT) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
  });
  return { code, stdout, stderr };
}

function jsonLines(stdout: string): PlanRecord[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function scratchDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-plan-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('CLI: tourniquet plan', () => {
  it('gives the expected playbook for every row of events/README.md', async () => {
    const { code, stdout, stderr } = await run(['plan', '--json', 'events']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const byFile = new Map(jsonLines(stdout).map((r) => [r.file, r]));
    const rows = eventCatalogue();
    expect(rows.length).toBeGreaterThanOrEqual(25);
    for (const row of rows) {
      const record = byFile.get(join('events', row.file));
      expect(record, row.file).toBeDefined();
      expect({ file: row.file, playbook: record?.playbook ?? 'none' }).toEqual({
        file: row.file,
        playbook: row.playbook,
      });
    }
  });

  it('prints the documented JSON shape, with open-ticket in every plan that runs anything', async () => {
    const { stdout } = await run(['plan', '--json', 'events']);
    for (const record of jsonLines(stdout)) {
      expect(Object.keys(record).sort()).toEqual(
        [
          'eventId',
          'file',
          'finding',
          'incidentKey',
          'playbook',
          'reason',
          'skipped',
          'steps',
        ].sort(),
      );
      expect(Object.keys(record.finding).sort()).toEqual(
        [
          'account',
          'cluster',
          'node',
          'origin',
          'pod',
          'region',
          'resource',
          'role',
          'severity',
          'type',
        ].sort(),
      );
      for (const step of record.steps) {
        expect(Object.keys(step).sort()).toEqual(['action', 'approval', 'dryRun', 'target']);
      }
      if (record.playbook) expect(record.steps.at(-1)?.action).toBe('open-ticket');
      else expect(record.steps).toEqual([]);
      expect(record.reason.length).toBeGreaterThan(0);
    }
  });

  it('never rejects a GuardDuty, Config or CloudTrail event the API model allows', async () => {
    const pod = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    const node = loadEvent('guardduty/node-runtime-cc-activity-ng-general.json');
    const config = loadEvent('config/restricted-ssh-noncompliant.json');
    const trail = loadEvent('cloudtrail/irsa-assume-web-identity-outside-egress.json');
    const variant = (event: Record<string, any>, change: (detail: any) => void) => {
      const copy = structuredClone(event);
      change(copy.detail);
      return copy;
    };
    const workload = (d: any) => d.resource.kubernetesDetails.kubernetesWorkloadDetails;
    const guardduty = [
      variant(pod, (d) => (workload(d).type = 'Pod')),
      variant(pod, (d) => delete workload(d).name),
      variant(pod, (d) => (workload(d).namespace = null)),
      variant(pod, (d) => delete d.service),
      variant(pod, (d) => delete d.resource.resourceType),
      variant(node, (d) => delete d.resource.instanceDetails.instanceId),
      variant(node, (d) => (d.resource.instanceDetails.tags = null)),
    ];
    const configs = [
      variant(config, (d) => (d.oldEvaluationResult = { complianceType: null })),
      variant(config, (d) => delete d.newEvaluationResult.resultRecordedTime),
    ];
    const trails = [
      variant(trail, (d) => delete d.recipientAccountId),
      variant(trail, (d) => (d.requestParameters = null)),
    ];
    const dir = scratchDir({
      'guardduty.json': JSON.stringify(guardduty),
      'config.json': JSON.stringify(configs),
      'cloudtrail.json': JSON.stringify(trails),
    });
    const { code, stdout, stderr } = await run(
      ['plan', '--json', 'guardduty.json', 'config.json', 'cloudtrail.json'],
      dir,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = jsonLines(stdout);
    expect(records).toHaveLength(guardduty.length + configs.length + trails.length);
    for (const record of records) expect(record.playbook, record.file).not.toBeNull();
    expect(records[0]?.playbook).toBe('contain-pod');
    expect(records[1]?.reason).toContain('kubernetesWorkloadDetails.name is missing');
  });

  it('rejects a malformed file with one stderr line naming it, still plans the others, exits 2', async () => {
    const good = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    const badSeverity = structuredClone(good);
    badSeverity.detail.severity = 'high';
    const dir = scratchDir({
      'a-good.json': JSON.stringify(good),
      'b-not-json.json': '{"version": "0", ',
      'c-bad-field.json': JSON.stringify(badSeverity),
      'd-unknown.json': JSON.stringify({
        ...good,
        source: 'aws.s3',
        'detail-type': 'Object Created',
      }),
      'e-array.json': JSON.stringify([good, 42]),
    });
    const { code, stdout, stderr } = await run(
      [
        'plan',
        '--json',
        'a-good.json',
        'b-not-json.json',
        'c-bad-field.json',
        'd-unknown.json',
        'e-array.json',
      ],
      dir,
    );
    expect(code).toBe(2);
    // A JSON syntax error quotes the offending line under its own message (indented lines).
    const lines = stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith(' '));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^b-not-json\.json: not JSON \(line \d+, column \d+\)/);
    expect(lines[1]).toMatch(/^c-bad-field\.json: invalid GuardDuty finding: detail\.severity: /);
    expect(lines[2]).toMatch(
      /^d-unknown\.json: source "aws\.s3" with detail-type "Object Created" is not/,
    );
    expect(lines[3]).toMatch(
      /^e-array\.json\[1\]: expected an EventBridge event object, got number/,
    );
    expect(jsonLines(stdout).map((r) => r.file)).toEqual(['a-good.json', 'e-array.json[0]']);
  });

  it('prints a readable summary with a closing tally without --json', async () => {
    const { code, stdout } = await run([
      'plan',
      'events/guardduty/runtime-reverse-shell-payments.json',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('playbook  contain-pod');
    expect(stdout).toMatch(/isolate-pod\s+pod\/payments\//);
    expect(stdout).toMatch(/cordon-node\s+node\/i-[0-9a-f]+\s+\[needs approval\]/);
    expect(stdout.trim().split('\n').at(-1)).toBe('1 event: 1 contain-pod');
  });

  it('uses --config and names the bad key when the config is invalid', async () => {
    const dir = scratchDir({ 'bad.json': JSON.stringify({ minimumSeverity: 'SEVERE' }) });
    const { code, stderr } = await run([
      'plan',
      '--config',
      join(dir, 'bad.json'),
      'events/guardduty',
    ]);
    expect(code).toBe(64);
    expect(stderr).toMatch(/minimumSeverity: .*\(in .*bad\.json\)/);
  });

  it.each([
    [
      {
        approvals: {
          slack: { channel: '#incidents', teamId: 'T0TOURNIQ01', approverUserIds: ['U0ONCALL001'] },
        },
      },
      /approvals\.slack\.channel: expected a Slack channel id/,
    ],
    [
      {
        tickets: {
          sinks: [
            {
              type: 'jira',
              baseUrl: 'https://x.atlassian.net',
              projectKey: 'SEC',
              apiToken: 'secret',
            },
          ],
        },
      },
      /credentials come from Secrets Manager/,
    ],
    [{ tickets: { sinks: [{ type: 'email' }] } }, /tickets/],
    [{ approval: {} }, /approval/],
  ])(
    'checks the approvals and tickets sections too, naming the key (%#)',
    async (document, problem) => {
      const dir = scratchDir({ 'sections.json': JSON.stringify(document) });
      const { code, stderr } = await run([
        'plan',
        '--config',
        join(dir, 'sections.json'),
        'events/guardduty',
      ]);
      expect(code).toBe(64);
      expect(stderr).toMatch(problem);
    },
  );

  it('a valid approvals and tickets section does not disturb planning', async () => {
    const dir = scratchDir({
      'full.json': JSON.stringify({
        approvals: {
          slack: {
            channel: 'C0INCIDENTS',
            teamId: 'T0TOURNIQ01',
            approverUserIds: ['U0ONCALL001'],
          },
        },
        // As a stage writes it: the Jira sink uses the stage's secret.
        tickets: {
          sinks: [
            { type: 'jira', baseUrl: 'https://example.atlassian.net', projectKey: 'SEC' },
            { type: 'securityhub' },
          ],
        },
      }),
    });
    const { code } = await run(['plan', '--config', join(dir, 'full.json'), 'events/guardduty']);
    expect(code).toBe(0);
  });

  it('plans no step against the role an AccessDenied web identity asked for (sample, foreign account, path)', async () => {
    const denied = loadEvent('cloudtrail/irsa-assume-web-identity-access-denied.json');
    const variant = (roleArn: string) => {
      const event = structuredClone(denied);
      event.detail.requestParameters.roleArn = roleArn;
      return JSON.stringify(event);
    };
    const dir = scratchDir({
      'foreign.json': variant('arn:aws:iam::999988887777:role/payments-api-irsa'),
      'path.json': variant('arn:aws:iam::111122223333:role/team/payments-api-irsa'),
    });
    const sample = join(REPO_ROOT, 'events/cloudtrail/irsa-assume-web-identity-access-denied.json');
    const config = join(REPO_ROOT, 'tourniquet.config.json');
    const { code, stdout } = await run(
      ['plan', '--json', '--config', config, sample, 'foreign.json', 'path.json'],
      dir,
    );
    expect(code).toBe(0);
    const records = jsonLines(stdout);
    expect(records).toHaveLength(3);
    for (const record of records) {
      expect(record.playbook).toBe('revoke-identity');
      expect(record.steps.map((s) => s.target)).toEqual([
        'serviceaccount-role/batch/batch-runner',
        'web-identity/serviceaccount-role/batch/batch-runner#system:serviceaccount:batch:batch-runner',
        `incident/${record.incidentKey}`,
      ]);
      expect(record.finding.role).toBeNull();
      expect(record.reason).toContain('payments-api-irsa');
    }
  });

  it('a global dryRun config marks every step dry-run', async () => {
    const dir = scratchDir({ 'dry.json': JSON.stringify({ dryRun: true }) });
    const { stdout } = await run([
      'plan',
      '--json',
      '--config',
      join(dir, 'dry.json'),
      'events/guardduty',
    ]);
    const steps = jsonLines(stdout).flatMap((r) => r.steps);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => s.dryRun)).toBe(true);
  });

  it.each([
    [['plan'], /plan needs at least one EVENT_FILE/],
    [['plan', '--bogus', 'x.json'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('usage error for %j exits 64', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(64);
    expect(stderr).toMatch(message);
  });

  it('a missing file is reported and counted as rejected input', async () => {
    const { code, stderr } = await run(['plan', 'events/nope.json']);
    expect(code).toBe(2);
    expect(stderr).toBe('events/nope.json: no such file or directory\n');
  });

  it('runs as `npx tourniquet` through the package bin', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['--no-install', 'tourniquet', 'plan', '--json', 'events/config'],
      { cwd: REPO_ROOT },
    );
    const records = jsonLines(stdout);
    expect(records.length).toBeGreaterThan(5);
    expect(records.every((r) => r.finding.origin === 'config')).toBe(true);
  });
});
