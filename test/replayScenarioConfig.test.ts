import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@tourniquet/cli';
import type { ReplayRecord } from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/events';

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';
const STAGING_FINDING = 'events/guardduty/runtime-reverse-shell-staging-payments.json';
const LOW_FINDING = 'events/guardduty/runtime-raw-socket-data-low.json';

function tempFile(name: string, document: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tourniquet-agree-')), name);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: REPO_ROOT,
  });
  const records = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ReplayRecord & { playbook: string | null });
  return { code, stdout, stderr, records };
}

/**
 * The sample environment, except: no pod has a uid (the events give them), feature-store-0 is
 * missing; and a config without staging-eks-02, which the scenario still seeds.
 */
function files() {
  const scenario = parse(
    readFileSync(join(REPO_ROOT, 'packages/testkit/scenarios/default.yaml'), 'utf8'),
  );
  for (const cluster of scenario.clusters) for (const pod of cluster.pods) delete pod.uid;
  scenario.clusters[0].pods = scenario.clusters[0].pods.filter(
    (p: { name: string }) => p.name !== 'feature-store-0',
  );
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'));
  config.clusters = config.clusters.filter((c: { name: string }) => c.name !== 'staging-eks-02');
  return { scenario: tempFile('scenario.json', scenario), config: tempFile('config.json', config) };
}

describe('replay and plan agree on the same event and config, whatever the scenario seeds', () => {
  it("replay acts on the config's clusters, fills pod uids from the events, warns once per gap, and prints the scenario's ids", async () => {
    const { scenario, config } = files();
    const events = [POD_FINDING, STAGING_FINDING, LOW_FINDING, LOW_FINDING];
    const plan = await cli(['plan', '--json', '--config', config, ...events]);
    expect(plan.code).toBe(0);
    const replay = await cli([
      'replay',
      '--approve',
      'all',
      '--json',
      '--incidents',
      join(mkdtempSync(join(tmpdir(), 'tourniquet-agree-')), 'incidents.json'),
      '--scenario',
      scenario,
      '--config',
      config,
      ...events,
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.records.map((r) => [r.file, r.playbook])).toEqual(
      plan.records.map((r) => [r.file, r.playbook]),
    );
    expect(replay.records.map((r) => r.playbook)).toEqual([
      'contain-pod',
      'ticket-only',
      'ticket-only',
      'ticket-only',
    ]);

    const warnings = replay.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([
      `warning: pod data/feature-store-0 of cluster prod-eks-01 is not in the scenario (named by ${LOW_FINDING})`,
      'warning: scenario and config disagree: cluster staging-eks-02 (account 111122223333) is in the scenario but not in the config: its events are ticket-only, as the config makes them',
    ]);

    // The pod the finding names is the one seeded (its uid came from the event): not "replaced".
    const [pod] = replay.records;
    expect(pod?.actions.find((a) => a.action === 'isolate-pod')?.status).toBe('applied');
    expect(pod?.state?.pod).toMatchObject({
      isolated: true,
      mechanisms: ['security-group', 'network-policy'],
    });
    // Ids as the events and the scenario name them, never moto's.
    expect(pod?.state?.node?.instanceId).toBe('i-0a1b2c3d4e5f60718');
    const ids = new Set(replay.stdout.match(/\b(i|sg|eni|vpc|subnet)-[0-9a-f]{17}\b/g) ?? []);
    const known = readFileSync(join(REPO_ROOT, 'packages/testkit/scenarios/default.yaml'), 'utf8');
    for (const id of ids) if (!id.startsWith('eni-')) expect(known, id).toContain(id);
    // Starts moto and the simulators: minutes on a loaded two-core machine.
  }, 300_000);

  it('a config cluster the scenario lacks, and a region that differs, are named', async () => {
    const scenario = parse(
      readFileSync(join(REPO_ROOT, 'packages/testkit/scenarios/default.yaml'), 'utf8'),
    );
    scenario.clusters[1].region = 'eu-west-1';
    scenario.clusters[1].subnets[0].az = 'eu-west-1a';
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'));
    config.clusters.push({
      ...config.clusters[0],
      name: 'legacy-eks-00',
      quarantineSecurityGroups: {},
    });
    const replay = await cli([
      'replay',
      '--approve',
      'none',
      '--json',
      '--incidents',
      join(mkdtempSync(join(tmpdir(), 'tourniquet-agree-')), 'incidents.json'),
      '--scenario',
      tempFile('scenario.json', scenario),
      '--config',
      tempFile('config.json', config),
      LOW_FINDING,
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    const warnings = replay.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([
      'warning: scenario and config disagree: cluster staging-eks-02 is in us-west-2 in the config but eu-west-1 in the scenario',
      'warning: scenario and config disagree: cluster legacy-eks-00 is in the config but not in the scenario: its events are planned as the config says, but there is no emulated cluster to act on',
    ]);
    // Starts moto and the simulators: minutes on a loaded two-core machine.
  }, 300_000);
});
