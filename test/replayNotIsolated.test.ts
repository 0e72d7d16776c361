import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@tourniquet/local';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/events';

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';

/** The sample environment, with prod-eks-01 changed as given. */
function scenarioFile(cluster: Record<string, unknown>): string {
  const scenario = parse(
    readFileSync(join(REPO_ROOT, 'packages/local/scenarios/default.yaml'), 'utf8'),
  );
  Object.assign(scenario.clusters[0], cluster);
  const file = join(mkdtempSync(join(tmpdir(), 'tourniquet-scenario-')), 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

describe('replay: a pod nothing can cut is reported NOT isolated', () => {
  it('no NetworkPolicy enforcer and SGP standard mode: the state line says NOT isolated', async () => {
    let stdout = '';
    const code = await main(
      [
        'replay',
        '--approve',
        'all',
        '--scenario',
        scenarioFile({ networkPolicyEnforcer: 'none', sgpMode: 'standard' }),
        POD_FINDING,
      ],
      { stdout: (t) => (stdout += t), stderr: () => {}, cwd: REPO_ROOT },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/isolate-pod\s+applied\s+\d+ ms\s+NOT isolated: .*standard mode/);
    expect(stdout).toMatch(/state: pod payments\/payments-api-7d9f8b6c5-x2kqp NOT isolated;/);
  });
});
