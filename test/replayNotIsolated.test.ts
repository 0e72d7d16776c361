import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIncidentStore, main, readEventInputs } from '@tourniquet/cli';
import { type ApprovalRequest, parseConfig } from '@tourniquet/core';
import { approveAll, parseScenario, type ReplayRecord, replay } from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/events';

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';
const POD = 'payments-api-7d9f8b6c5-x2kqp';
/** A whole replay: moto, the Kubernetes simulator and the ticket simulators start and stop. */
const REPLAY_TIMEOUT_MS = 180_000;

/** The sample environment, with prod-eks-01 changed as given. */
function scenarioDocument(cluster: Record<string, unknown>, withoutSgp = false) {
  const scenario = parse(
    readFileSync(join(REPO_ROOT, 'packages/testkit/scenarios/default.yaml'), 'utf8'),
  );
  Object.assign(scenario.clusters[0], cluster);
  if (withoutSgp) {
    // The common case: the pod has no Security Groups for Pods, so no branch ENI.
    for (const pod of scenario.clusters[0].pods) if (pod.name === POD) delete pod.securityGroups;
  }
  return scenario;
}

function scenarioFile(cluster: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tourniquet-scenario-')), 'scenario.json');
  writeFileSync(file, JSON.stringify(scenarioDocument(cluster)));
  return file;
}

describe('replay: a pod nothing can cut is reported NOT isolated', () => {
  it(
    'no NetworkPolicy enforcer and SGP standard mode: the state line says NOT isolated',
    async () => {
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
    },
    REPLAY_TIMEOUT_MS,
  );
});

/**
 * The contain-pod sample replayed with the PagerDuty simulator as the ticket sink: what on-call is
 * asked to approve, what is paged, and what ran.
 */
async function replayPod(cluster: Record<string, unknown>) {
  const asked: string[][] = [];
  const store = await FileIncidentStore.open(
    join(mkdtempSync(join(tmpdir(), 'tourniquet-incidents-')), 'incidents.json'),
    { reset: true },
  );
  const records: ReplayRecord[] = [];
  const { world, ticketing } = await replay({
    inputs: await readEventInputs([POD_FINDING], REPO_ROOT),
    config: parseConfig(
      JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
    ),
    scenario: parseScenario(scenarioDocument(cluster, true)),
    approver: async (request: ApprovalRequest) => {
      asked.push(request.actions);
      return approveAll(request);
    },
    tickets: { sinks: ['pagerduty'], store },
    keepWorld: true,
    onRecord: (r) => records.push(r),
    onRejected: (source, problem) => {
      throw new Error(`${source}: ${problem}`);
    },
  });
  const pagerduty = ticketing?.simulators.pagerduty;
  const summaries = [...(pagerduty?.alerts.values() ?? [])].flatMap((a) =>
    a.events.map((e) => e.summary ?? ''),
  );
  await ticketing?.stop();
  await world?.stop();
  const [record] = records;
  if (!record) throw new Error('replay recorded nothing');
  const action = (name: string) => record.actions.find((a) => a.action === name);
  return { record, asked, summaries, action };
}

describe('replay: a pod NOT isolated escalates to isolate-node and pages on-call', () => {
  it(
    'no enforcer, no Security Groups for Pods: NOT isolated, paged with the reason, isolate-node approved and applied',
    async () => {
      const { record, asked, summaries, action } = await replayPod({
        networkPolicyEnforcer: 'none',
      });
      expect(record.status).toBe('SUCCEEDED');
      expect(record.state?.pod).toMatchObject({ isolated: false, mechanisms: [] });
      expect(action('isolate-pod')).toMatchObject({
        status: 'applied',
        detail: expect.stringMatching(/^NOT isolated: .*nothing enforces NetworkPolicy/),
      });
      // The escalation has its own approval request, after the group that always needs one.
      expect(asked).toEqual([['cordon-node', 'revoke-role-sessions'], ['isolate-node']]);
      expect(action('isolate-node')).toMatchObject({ status: 'applied' });
      expect(summaries).toContainEqual(
        expect.stringMatching(
          /^ESCALATED: .* — pod NOT isolated: no branch ENI.*nothing enforces NetworkPolicy .*Escalating to isolate-node node\/i-[0-9a-f]+: approval requested separately/,
        ),
      );
    },
    REPLAY_TIMEOUT_MS,
  );

  it(
    'VPC CNI enforcing policies: isolated by network-policy once the PolicyEndpoint exists; no page, no isolate-node',
    async () => {
      const { record, asked, summaries, action } = await replayPod({
        networkPolicyEnforcer: 'vpc-cni',
      });
      expect(record.status).toBe('SUCCEEDED');
      expect(record.state?.pod).toMatchObject({ isolated: true, mechanisms: ['network-policy'] });
      expect(action('isolate-pod')?.detail).toMatch(/^isolated by network-policy/);
      expect(asked).toEqual([['cordon-node', 'revoke-role-sessions']]);
      expect(action('isolate-node')).toMatchObject({
        status: 'skipped',
        detail: 'not needed: runs only if isolate-pod reports the pod NOT isolated',
      });
      expect(summaries.filter((s) => s.includes('NOT isolated'))).toEqual([]);
    },
    REPLAY_TIMEOUT_MS,
  );
});
