import { createPlanner, normaliseEvent, type Plan } from '@tourniquet/core';
import { describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig, without, withValue } from '../helpers/events';

const planner = createPlanner(sampleConfig());
const planOf = (event: unknown): Plan => planner.plan(normaliseEvent(event));
const runtimePod = loadEvent('guardduty/runtime-reverse-shell-payments.json');
const WORKLOAD = 'detail.resource.kubernetesDetails.kubernetesWorkloadDetails';
const containment = (plan: Plan) => plan.steps.filter((s) => s.action !== 'open-ticket');

describe('Attacks through finding shapes the API model allows', () => {
  it('a placeholder workload type on a finding not flagged sample contains nothing', () => {
    const plan = planOf(
      withValue(runtimePod, `${WORKLOAD}.type`, 'GeneratedFindingKubernetesWorkloadType'),
    );
    expect(plan.playbook).toBe('ticket-only');
    expect(containment(plan)).toEqual([]);
  });

  it('a generated sample finding never runs a step for real', () => {
    const plan = planOf(loadEvent('guardduty/runtime-generated-sample-placeholder-workload.json'));
    expect(plan.steps.length).toBeGreaterThan(1);
    expect(plan.steps.filter((s) => !s.dryRun)).toEqual([]);
  });

  it('a pod finding without a cluster is not contained on whichever cluster has that pod name', () => {
    const event = without(
      without(runtimePod, 'detail.resource.eksClusterDetails'),
      'detail.resource.instanceDetails',
    );
    const plan = planOf(event);
    expect(plan.playbook).toBe('ticket-only');
    expect(containment(plan)).toEqual([]);
  });

  it('an InstanceCredentialExfiltration naming an instance profile of another account revokes nothing', () => {
    const event = withValue(
      loadEvent('guardduty/credential-exfiltration-instance-profile.json'),
      'detail.resource.instanceDetails.iamInstanceProfile.arn',
      'arn:aws:iam::444455556666:instance-profile/victim-profile',
    );
    const plan = planOf(event);
    expect(plan.playbook).toBe('ticket-only');
    expect(containment(plan)).toEqual([]);
    expect(plan.reason).toContain('444455556666');
  });

  it('an InstanceCredentialExfiltration naming something other than an instance profile revokes nothing', () => {
    const event = withValue(
      loadEvent('guardduty/credential-exfiltration-instance-profile.json'),
      'detail.resource.instanceDetails.iamInstanceProfile.arn',
      'arn:aws:iam::111122223333:role/tourniquet-actions',
    );
    const plan = planOf(event);
    expect(containment(plan)).toEqual([]);
  });
});
