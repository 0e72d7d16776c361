import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { StepFunctionsPlaybookStarter } from '@tourniquet/aws';
import { createPlanner, normaliseEvent, parseConfig, reachKeyFor } from '@tourniquet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig } from './helpers/events';
import { useMoto } from './helpers/moto';

const moto = useMoto();
const AT = new Date('2026-11-23T12:00:00Z');
const sample = sampleConfig();
// The sample config, with prod-eks-01 reached from its VPC.
const config = parseConfig({
  ...sample,
  clusters: sample.clusters.map((c) =>
    c.name === 'prod-eks-01'
      ? {
          ...c,
          access: {
            mode: 'vpc',
            subnetIds: ['subnet-0123456789abcdef0'],
            securityGroupId: 'sg-0123456789abcdef0',
          },
        }
      : c,
  ),
});
const planner = createPlanner(config);
const planOf = (file: string) => planner.plan(normaliseEvent(loadEvent(file)));
const reach = reachKeyFor(config.clusters, {
  cluster: 'prod-eks-01',
  account: '111122223333',
  region: 'us-east-1',
});

describe('triage starts the playbook whose Kubernetes steps can reach the cluster', () => {
  let client: SFNClient;
  const machines: Record<string, string> = {};
  beforeAll(async () => {
    client = new SFNClient(moto());
    for (const name of ['contain-pod', `contain-pod-${reach}`, 'contain-node']) {
      const created = await client.send(
        new CreateStateMachineCommand({
          name: `reach-${name}`,
          roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
          definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
        }),
      );
      machines[name] = created.stateMachineArn as string;
    }
  });
  const starter = (stateMachines: Record<string, string>) =>
    new StepFunctionsPlaybookStarter({
      client,
      stateMachines,
      reachOf: (plan) => reachKeyFor(config.clusters, plan.finding),
    });

  it("a finding on a VPC-reached cluster starts that reach's state machine", async () => {
    expect(reach).toMatch(/^v[0-9a-f]{6}$/);
    const started = await starter(machines).start(
      planOf('guardduty/runtime-reverse-shell-payments.json'),
      AT,
    );
    const execution = await client.send(
      new DescribeExecutionCommand({ executionArn: started.executionArn as string }),
    );
    expect(execution.stateMachineArn).toBe(machines[`contain-pod-${reach}`]);
  });

  it('a finding on a publicly reached cluster starts the plain state machine', async () => {
    const plan = planOf('guardduty/runtime-reverse-shell-payments.json');
    const staging = {
      ...plan,
      finding: { ...plan.finding, cluster: 'staging-eks-02', region: 'us-west-2' },
    };
    const started = await starter(machines).start(staging, AT);
    expect(started.executionArn).toContain(':execution:reach-contain-pod:');
  });

  it("never falls back to the public copy when the reach's state machine is missing", async () => {
    await expect(
      starter({ 'contain-pod': machines['contain-pod'] as string }).start(
        planOf('guardduty/runtime-reverse-shell-payments.json'),
        AT,
      ),
    ).rejects.toThrow(
      `no state machine is configured for playbook contain-pod in VPC reach ${reach}`,
    );
  });
});
