import { createHash } from 'node:crypto';
import {
  createPlanner,
  DEFAULT_CONFIG,
  normaliseEvent,
  type Plan,
  type TourniquetConfig,
} from '@tourniquet/core';
import {
  allEventFiles,
  loadEvent,
  sampleConfig,
  without,
  withValue,
} from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';

/**
 * The plans the planner made before policy became data (recorded from the TypeScript rules),
 * for every sample event under several configurations and for variations of the events that
 * reach every routing rule. The built-in policy file must reproduce them exactly.
 */

const sample = sampleConfig();
const CONFIGS: Record<string, TourniquetConfig> = {
  default: DEFAULT_CONFIG,
  sample,
  'sample-dry-run': { ...sample, dryRun: true },
  'sample-no-approvals': {
    ...sample,
    approvalRequired: [],
    dryRunActions: ['isolate-pod', 'revoke-role-sessions'],
  },
  'sample-strict': { ...sample, minimumSeverity: 'CRITICAL', protectedNamespaces: ['payments'] },
  'sample-low': { ...sample, minimumSeverity: 'LOW', protectedNamespaces: [] },
};

type Variation = [name: string, vary: (e: Record<string, any>) => Record<string, any> | null];

const at = (e: Record<string, any>, path: string) =>
  path.split('.').reduce<any>((node, key) => (node == null ? undefined : node[key]), e);
const has = (e: Record<string, any>, path: string) => at(e, path) != null;
const drop =
  (path: string): Variation[1] =>
  (e) =>
    has(e, path) ? without(e, path) : null;
const set =
  (path: string, value: unknown, parent = path.slice(0, path.lastIndexOf('.'))): Variation[1] =>
  (e) =>
    has(e, parent) ? withValue(e, path, value) : null;

const WORKLOAD = 'detail.resource.kubernetesDetails.kubernetesWorkloadDetails';
const VARIATIONS: Variation[] = [
  ['as is', (e) => e],
  ['no workload namespace', drop(`${WORKLOAD}.namespace`)],
  ['no workload name', drop(`${WORKLOAD}.name`)],
  ['no workload', drop(`${WORKLOAD}`)],
  ['deployment workload', set(`${WORKLOAD}.type`, 'deployments')],
  ['no service account', drop(`${WORKLOAD}.serviceAccountName`)],
  ['hostNetwork pod', set(`${WORKLOAD}.hostNetwork`, true)],
  ['no cluster details', drop('detail.resource.eksClusterDetails')],
  ['no instance details', drop('detail.resource.instanceDetails')],
  ['no instance id', drop('detail.resource.instanceDetails.instanceId')],
  ['no instance tags', drop('detail.resource.instanceDetails.tags')],
  ['no instance profile', drop('detail.resource.instanceDetails.iamInstanceProfile')],
  ['no resource type', drop('detail.resource.resourceType')],
  ['IAM user keys', set('detail.resource.accessKeyDetails.userType', 'IAMUser')],
  ['no principal type', drop('detail.resource.accessKeyDetails.userType')],
  ['low severity', set('detail.severity', 2, 'detail.resource')],
  ['critical severity', set('detail.severity', 9.5, 'detail.resource')],
  ['sample finding', set('detail.service.additionalInfo', { sample: true }, 'detail.resource')],
  ['compliant', set('detail.newEvaluationResult.complianceType', 'COMPLIANT')],
  [
    'ec2 instance resource',
    set('detail.resourceType', 'AWS::EC2::Instance', 'detail.configRuleName'),
  ],
  ['throttled assume', set('detail.errorCode', 'ThrottlingException', 'detail.userIdentity')],
  ['denied assume', set('detail.errorCode', 'AccessDenied', 'detail.userIdentity')],
  ['from inside', set('detail.sourceIPAddress', '10.0.21.90', 'detail.userIdentity')],
  ['from outside', set('detail.sourceIPAddress', '203.0.113.50', 'detail.userIdentity')],
  ['through a service', set('detail.sourceIPAddress', 'ec2.amazonaws.com', 'detail.userIdentity')],
];

/** Everything a plan decides; the finding is the planner's input and says nothing new. */
function decided(plan: Plan) {
  const { finding: _finding, ...rest } = plan;
  return { ...rest, cluster: plan.finding.cluster };
}

function plansFor(planners: Record<string, ReturnType<typeof createPlanner>>) {
  const lines: string[] = [];
  for (const file of allEventFiles()) {
    const event = loadEvent(file);
    for (const [variation, vary] of VARIATIONS) {
      const varied = vary(event);
      if (!varied) continue;
      let finding: ReturnType<typeof normaliseEvent>;
      try {
        finding = normaliseEvent(varied);
      } catch {
        continue;
      }
      for (const [name, planner] of Object.entries(planners)) {
        lines.push(
          JSON.stringify({ file, variation, config: name, plan: decided(planner.plan(finding)) }),
        );
      }
    }
  }
  return lines;
}

describe('Planner: the built-in policy decides as the TypeScript rules did', () => {
  const planners = Object.fromEntries(
    Object.entries(CONFIGS).map(([name, config]) => [name, createPlanner(config)]),
  );
  const lines = plansFor(planners);

  it('covers every sample event and every playbook', () => {
    const files = new Set(lines.map((l) => JSON.parse(l).file));
    expect([...files].sort()).toEqual(allEventFiles());
    const playbooks = new Set(lines.map((l) => JSON.parse(l).plan.playbook));
    expect(playbooks).toEqual(
      new Set([
        'contain-node',
        'contain-pod',
        'remediate-config',
        'revoke-identity',
        'ticket-only',
        null,
      ]),
    );
  });

  it('plans every sample event and variation exactly as before', async () => {
    // One digest per event file keeps the recording small; the plain samples are kept whole so
    // that a difference shows what changed.
    const byFile = new Map<string, string[]>();
    for (const line of lines) {
      const { file } = JSON.parse(line) as { file: string };
      byFile.set(file, [...(byFile.get(file) ?? []), line]);
    }
    const digests = Object.fromEntries(
      [...byFile].map(([file, ls]) => [
        file,
        createHash('sha256').update(ls.join('\n')).digest('hex'),
      ]),
    );
    await expect(`${JSON.stringify(digests, null, 2)}\n`).toMatchFileSnapshot(
      './__snapshots__/planEquivalence.digests.json',
    );
    const plain = lines
      .filter((l) => {
        const { variation, config } = JSON.parse(l);
        return variation === 'as is' && (config === 'sample' || config === 'default');
      })
      .join('\n');
    await expect(`${plain}\n`).toMatchFileSnapshot('./__snapshots__/planEquivalence.plans.jsonl');
  });
});
