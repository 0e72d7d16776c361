import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { revokePolicyName } from '@tourniquet/actions';
import { main, readEventInputs } from '@tourniquet/cli';
import { executionName, incidentLabel, parseConfig } from '@tourniquet/core';
import { approveAll, type ReplayRecord, replay } from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';
const KEY = '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp';

async function cli(args: string[], cwd = REPO_ROOT) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
  });
  return {
    code,
    stdout,
    stderr,
    records: stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ReplayRecord),
  };
}

describe('CLI: tourniquet replay', () => {
  it('--approve all contains a pod: isolated (SG + NetworkPolicy), node cordoned, role revoked, ticket', async () => {
    const { code, records, stderr } = await cli([
      'replay',
      '--approve',
      'all',
      '--json',
      POD_FINDING,
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/starting moto/);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      file: POD_FINDING,
      playbook: 'contain-pod',
      status: 'SUCCEEDED',
      state: {
        pod: {
          namespace: 'payments',
          isolated: true,
          mechanisms: ['security-group', 'network-policy'],
        },
        node: { name: 'ip-10-0-12-34.ec2.internal', schedulable: false },
        role: { name: 'payments-api-irsa', revocationPolicy: true },
        ticket: 'LOCAL-1',
      },
    });
    expect(record?.actions.map((a) => [a.action, a.status])).toEqual([
      ['isolate-pod', 'applied'],
      ['label-pod', 'applied'],
      ['capture-evidence', 'applied'],
      ['protect-node', 'applied'],
      ['cordon-node', 'applied'],
      // The pod is isolated, so the escalation to isolate-node does not run.
      ['isolate-node', 'skipped'],
      ['revoke-role-sessions', 'applied'],
      ['open-ticket', 'applied'],
    ]);
    expect(record?.containmentMs).toBeGreaterThan(0);
    // The steps ran in that order, and the ticket was open before any approval-gated step.
    const started = (action: string) =>
      record?.actions.find((a) => a.action === action)?.startedMs as number;
    expect(started('isolate-pod')).toBeLessThan(started('label-pod'));
    expect(started('label-pod')).toBeLessThan(started('capture-evidence'));
    const gated = record?.actions.filter((a) =>
      ['cordon-node', 'revoke-role-sessions'].includes(a.action),
    );
    expect(gated?.map((a) => a.startedMs)).toEqual([expect.any(Number), expect.any(Number)]);
    for (const step of gated ?? []) {
      expect(started('open-ticket')).toBeLessThan(step.startedMs as number);
    }
  });

  it('--approve none: only the non-destructive steps happen; the destructive ones are denied', async () => {
    const { records } = await cli(['replay', '--approve', 'none', '--json', POD_FINDING]);
    const [record] = records;
    expect(record?.status).toBe('DENIED');
    expect(record?.actions.filter((a) => a.status === 'denied').map((a) => a.action)).toEqual([
      'cordon-node',
      'revoke-role-sessions',
    ]);
    expect(record?.state).toMatchObject({
      pod: { isolated: true },
      node: { schedulable: true },
      role: { revocationPolicy: false },
      ticket: 'LOCAL-1',
    });
  });

  it('the emulators hold the contained state (read directly, before they stop)', async () => {
    const config = parseConfig(
      JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
    );
    const records: ReplayRecord[] = [];
    const { world } = await replay({
      inputs: await readEventInputs([POD_FINDING], REPO_ROOT),
      config,
      approver: approveAll,
      keepWorld: true,
      onRecord: (r) => records.push(r),
      onRejected: () => {},
    });
    try {
      if (!world) throw new Error('keepWorld returns the world');
      const { NetworkInterfaces = [] } = await world.aws('us-east-1').ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.12.77'] }],
        }),
      );
      expect(NetworkInterfaces.map((e) => (e.Groups ?? []).map((g) => g.GroupId))).toEqual([
        [world.seeded.physical('sg-0badc0ffee0000001')],
      ]);
      const sim = world.simulator('prod-eks-01');
      const policy = sim.get(
        'networking.k8s.io/v1',
        'NetworkPolicy',
        'payments',
        `tourniquet-quarantine-${incidentLabel(KEY)}`,
      ) as any;
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(
        (sim.get('v1', 'Node', null, 'ip-10-0-12-34.ec2.internal') as any).spec.unschedulable,
      ).toBe(true);
      const revocation = await world.aws('us-east-1').iam.send(
        new GetRolePolicyCommand({
          RoleName: 'payments-api-irsa',
          PolicyName: revokePolicyName(KEY),
        }),
      );
      expect(decodeURIComponent(revocation.PolicyDocument as string)).toContain(
        'aws:TokenIssueTime',
      );
    } finally {
      await world?.stop();
    }
  });

  it('a repeat of the finding joins the running execution instead of starting another', async () => {
    const { records } = await cli([
      'replay',
      '--approve',
      'all',
      '--json',
      POD_FINDING,
      'events/guardduty/runtime-reverse-shell-payments-repeat.json',
    ]);
    // The first event started the execution; the repeat joined that incident's execution,
    // whose name is the incident's (executionName: readable key, hash of the key, window).
    expect(records[0]).toMatchObject({ incidentKey: KEY, joined: null });
    expect(records[1]).toMatchObject({ incidentKey: KEY, actions: [] });
    const incidentName = executionName(KEY, new Date()).replace(/-\d+$/, '');
    expect(records[1]?.joined).toMatch(new RegExp(`^${incidentName}-\\d+$`));
  });

  it('stops every emulator it started', async () => {
    const ports: number[] = [];
    const { world } = await replay({
      inputs: [],
      config: parseConfig({}),
      approver: approveAll,
      keepWorld: true,
      onRecord: () => {},
      onRejected: () => {},
    });
    ports.push(
      world?.moto.port as number,
      ...[...(world?.simulators.values() ?? [])].map((s) => Number(new URL(s.url).port)),
    );
    await world?.stop();
    for (const port of ports) {
      await expect(
        new Promise((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.end();
            resolve('open');
          });
          socket.on('error', reject);
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
  });

  it('--approve slack --tickets jira,pagerduty: the Slack message is posted and approved, tickets opened, the incident kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-replay-'));
    const store = join(dir, 'incidents.json');
    const { code, records, stderr } = await cli([
      'replay',
      '--approve',
      'slack',
      '--tickets',
      'jira,pagerduty',
      '--incidents',
      store,
      '--json',
      POD_FINDING,
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('"type": "actions"');
    expect(stderr).toMatch(/clicked approve → 200 approved/);
    expect(records).toMatchObject([
      { playbook: 'contain-pod', status: 'SUCCEEDED', state: { node: { schedulable: false } } },
    ]);
    expect(records[0]?.state?.ticket).toBe('SEC-1');
    const list = await cli(['incidents', '--store', store, '--json']);
    const [incident] = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(incident).toMatchObject({ key: KEY, status: 'contained' });
    const report = await cli(['incidents', 'show', incident.id, '--store', store]);
    expect(report.code).toBe(0);
    for (const action of ['label-pod', 'isolate-pod', 'capture-evidence', 'cordon-node']) {
      expect(report.stdout).toMatch(new RegExp(`\\| ${action} \\|.*\\| applied \\|`));
    }
    expect(report.stdout).toMatch(/approved \| slack:U0ONCALL001/);
    expect(report.stdout).toMatch(/jira \| \[SEC-1\]/);
  });

  it('a bad --tickets value is a usage error naming the sinks', async () => {
    const usage = await cli(['replay', '--tickets', 'jira,email', POD_FINDING]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/unknown ticket sink 'email'/);
  });

  it('rejects a malformed file (exit 2) and still replays the others; bad --approve is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-replay-'));
    writeFileSync(join(dir, 'broken.json'), '{"detail-type": ');
    const { code, stderr, records } = await cli([
      'replay',
      '--approve',
      'none',
      '--json',
      join(dir, 'broken.json'),
      join(REPO_ROOT, 'events/config/restricted-ssh-noncompliant.json'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/broken\.json: not JSON/);
    expect(records.map((r) => r.playbook)).toEqual(['remediate-config']);
    const usage = await cli(['replay', '--approve', 'maybe', POD_FINDING]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/--approve must be one of all, none, ask/);
  });
});
