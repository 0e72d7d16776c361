import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@tourniquet/cli';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/events';

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';
const UNREACHABLE =
  'cluster API endpoint not reachable from Tourniquet (private-only endpoint; configure access.mode=vpc)';

function tempFile(name: string, document: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tourniquet-reach-')), name);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/** The sample environment, with prod-eks-01 changed as given (`access: undefined` drops it). */
function scenarioFile(cluster: Record<string, unknown>): string {
  const scenario = parse(
    readFileSync(join(REPO_ROOT, 'packages/testkit/scenarios/default.yaml'), 'utf8'),
  );
  Object.assign(scenario.clusters[0], cluster);
  return tempFile('scenario.json', scenario);
}

/** The repository's config with prod-eks-01 reached as given. */
function configFile(access: unknown): string {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'));
  config.clusters[0].access = access;
  return tempFile('config.json', config);
}

async function replayJson(args: string[]) {
  let stdout = '';
  const code = await main(['replay', '--json', '--approve', 'all', ...args, POD_FINDING], {
    stdout: (t) => (stdout += t),
    stderr: () => {},
    cwd: REPO_ROOT,
  });
  const [record] = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const step = (name: string) => record.actions.find((a: { action: string }) => a.action === name);
  return { code, record, step };
}

describe('replay: a cluster whose API endpoint Tourniquet cannot reach', () => {
  it('private-only endpoint, access public: every step that needs the API server fails saying why; the others still run', async () => {
    const { record, step } = await replayJson([
      '--scenario',
      scenarioFile({ endpoint: { publicAccess: false, privateAccess: true }, access: undefined }),
    ]);
    expect(record.status).toBe('FAILED');
    for (const name of ['isolate-pod', 'label-pod', 'capture-evidence', 'cordon-node']) {
      expect(step(name)?.status, name).toBe('failed');
      expect(step(name)?.detail, name).toContain(UNREACHABLE);
    }
    // The steps that need only AWS still ran, and the pod is reported as it is: not cut off.
    expect(step('protect-node')?.status).toBe('applied');
    expect(record.state.pod).toMatchObject({ isolated: false, mechanisms: [] });
  });

  it('private-only endpoint, access vpc in the config: the same replay isolates the pod', async () => {
    const { record, step } = await replayJson([
      '--scenario',
      scenarioFile({ endpoint: { publicAccess: false, privateAccess: true }, access: undefined }),
      '--config',
      configFile({
        mode: 'vpc',
        subnetIds: ['subnet-0123456789abcdef0'],
        securityGroupId: 'sg-0123456789abcdef0',
      }),
    ]);
    expect(record.status).toBe('SUCCEEDED');
    expect(step('isolate-pod')?.status).toBe('applied');
    expect(step('label-pod')?.status).toBe('applied');
  });

  it('public endpoint limited by publicAccessCidrs, access public: unreachable, the detail names the CIDRs', async () => {
    const { step } = await replayJson([
      '--scenario',
      scenarioFile({
        endpoint: {
          publicAccess: true,
          privateAccess: false,
          publicAccessCidrs: ['203.0.113.0/24'],
        },
        access: undefined,
      }),
    ]);
    expect(step('isolate-pod')?.status).toBe('failed');
    expect(step('isolate-pod')?.detail).toContain('publicAccessCidrs to 203.0.113.0/24');
    expect(step('isolate-pod')?.detail).toContain('configure access.mode=vpc');
  });
});
