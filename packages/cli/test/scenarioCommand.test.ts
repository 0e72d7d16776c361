import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@tourniquet/core/testkit';
import {
  eventFacts,
  loadScenario,
  matchEvents,
  type ReplayRecord,
  SCENARIO_SCHEMA,
} from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main';
import { readEventInputs } from '../src/readEvents';

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

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';

describe('CLI: tourniquet scenario init', () => {
  it('--help describes init and --from-events; the command list names it', async () => {
    const help = await run(['scenario', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('tourniquet scenario init --from-events');
    const list = await run(['--help']);
    expect(list.stdout).toMatch(/^ {2}scenario {2}write a scenario/m);
  });

  it('bad usage names the problem', async () => {
    expect(await run(['scenario'])).toMatchObject({
      code: 64,
      stderr: expect.stringContaining('scenario needs a subcommand: init'),
    });
    expect(await run(['scenario', 'int', '--from-events', 'events'])).toMatchObject({
      code: 64,
      stderr: expect.stringContaining("unknown subcommand 'int'"),
    });
    expect(await run(['scenario', 'init'])).toMatchObject({
      code: 64,
      stderr: expect.stringContaining('init needs --from-events'),
    });
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-scenario-'));
    writeFileSync(join(dir, 'taken.yaml'), 'keep me');
    const taken = await run(
      ['scenario', 'init', '--from-events', join(REPO_ROOT, 'events'), '-o', 'taken.yaml'],
      dir,
    );
    expect(taken.code).toBe(64);
    expect(taken.stderr).toContain('taken.yaml exists: pass --force');
    expect(readFileSync(join(dir, 'taken.yaml'), 'utf8')).toBe('keep me');
  });

  it('writes a scenario that loads and holds every cluster, node and pod the events name, with their ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-scenario-'));
    const file = join(dir, 'from-events.yaml');
    const { code, stderr } = await run(['scenario', 'init', '--from-events', 'events', '-o', file]);
    expect(code, stderr).toBe(0);
    // Left out: the placeholder workload of a generated sample finding (no Kubernetes name), and
    // the other account's cluster named like the hub's (replay emulates one cluster per name).
    const warnings = stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toContain(
      'warning: cluster prod-eks-01 of account 444455556666 left out: a cluster of another account has that name',
    );
    for (const warning of warnings)
      expect(warning).toMatch(/GeneratedFindingKubernetesWorkload|444455556666/);
    expect(stderr).toMatch(/^wrote .*from-events\.yaml: 2 account\(s\), \d+ cluster\(s\)/m);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=.*scenario\.schema\.json$/,
    );
    expect(join(dir, text.split('\n')[0]?.split('$schema=')[1] ?? '')).toBe(SCENARIO_SCHEMA);
    const scenario = await loadScenario(file);
    const inputs = await readEventInputs(['events'], REPO_ROOT);
    const facts = eventFacts(inputs.flatMap((i) => ('event' in i ? [i] : [])));
    expect(
      matchEvents(scenario, facts).gaps.filter(
        (g) => !/GeneratedFindingKubernetesWorkload|444455556666/.test(g),
      ),
    ).toEqual([]);
    const prod = scenario.clusters.find((c) => c.name === 'prod-eks-01');
    expect(prod?.pods.find((p) => p.name === 'payments-api-7d9f8b6c5-x2kqp')).toMatchObject({
      uid: '5f0c2a8e-3b7d-4c1a-9e2f-6d8b1a0c4e7f',
      node: 'ip-10-0-12-34.ec2.internal',
      serviceAccount: 'payments-api',
    });
    expect(prod?.nodes.find((n) => n.instanceId === 'i-0a1b2c3d4e5f60718')).toMatchObject({
      eniId: 'eni-0123456789abcdef0',
      subnet: 'subnet-0123456789abcdef0',
      instanceProfile: 'eks-ng-general-NodeInstanceProfile',
    });
    // From the config: the quarantine group it names, and the IRSA role a CloudTrail call names.
    expect(prod?.securityGroups).toContainEqual(
      expect.objectContaining({ id: 'sg-0badc0ffee0000001', quarantine: true }),
    );
    expect(prod?.serviceAccounts).toContainEqual({
      namespace: 'payments',
      name: 'payments-api',
      role: 'payments-api-irsa',
    });
    expect(scenario.roles).toContainEqual(
      expect.objectContaining({
        name: 'payments-api-irsa',
        trust: {
          irsa: { cluster: 'prod-eks-01', namespace: 'payments', serviceAccount: 'payments-api' },
        },
      }),
    );
    expect(scenario.accounts.map((m) => m.account)).toContain('222233334444');
  });

  it('replay contains a pod against the written scenario, and the scenario agrees with the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-scenario-'));
    const file = join(dir, 'from-events.yaml');
    expect((await run(['scenario', 'init', '--from-events', 'events', '-o', file])).code).toBe(0);
    const { code, stdout, stderr } = await run([
      'replay',
      '--approve',
      'all',
      '--json',
      '--incidents',
      join(dir, 'incidents.json'),
      '--scenario',
      file,
      POD_FINDING,
    ]);
    // The events also name clusters and a member the config does not list (legacy-eks-00, a
    // second prod-eks-01 in 444455556666); everything the config lists, the scenario agrees with.
    expect(code, stderr).toBe(0);
    const warnings = stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings)
      expect(warning).toMatch(/is in the scenario but not (in|under) the config/);
    const [record] = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ReplayRecord);
    expect(record).toMatchObject({
      playbook: 'contain-pod',
      status: 'SUCCEEDED',
      state: {
        pod: { name: 'payments-api-7d9f8b6c5-x2kqp', isolated: true },
        node: {
          name: 'ip-10-0-12-34.ec2.internal',
          instanceId: 'i-0a1b2c3d4e5f60718',
          schedulable: false,
        },
        role: { name: 'payments-api-irsa', revocationPolicy: true },
      },
    });
    expect(record?.actions.find((a) => a.action === 'isolate-pod')?.status).toBe('applied');
    // Starts moto and the simulators: minutes on a loaded two-core machine.
  }, 300_000);
});
