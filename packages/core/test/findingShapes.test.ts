import { loadEvent, sampleConfig, without, withValue } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { createPlanner, normaliseEvent, type Plan } from '../src';

const planner = createPlanner(sampleConfig());
const planOf = (event: unknown): Plan => planner.plan(normaliseEvent(event));
const runtimePod = loadEvent('guardduty/runtime-reverse-shell-payments.json');
const nodeFinding = loadEvent('guardduty/node-runtime-cc-activity-ng-general.json');
const WORKLOAD = 'detail.resource.kubernetesDetails.kubernetesWorkloadDetails';

describe('GuardDuty finding shapes the API model allows', () => {
  it.each(['Pod', 'pods', 'POD'])('workload type %s is a pod to contain', (type) => {
    const plan = planOf(withValue(runtimePod, `${WORKLOAD}.type`, type));
    expect(plan.playbook).toBe('contain-pod');
    expect(plan.finding.pod?.name).toBe('payments-api-7d9f8b6c5-x2kqp');
  });

  it('a generated sample finding with the placeholder workload type plans dry-run containment', () => {
    const plan = planOf(loadEvent('guardduty/runtime-generated-sample-placeholder-workload.json'));
    expect(plan.playbook).toBe('contain-pod');
    expect(plan.steps.map((s) => s.action)).toContain('isolate-pod');
    expect(plan.steps.every((s) => s.dryRun)).toBe(true);
  });

  it('the placeholder workload type on a finding not flagged sample is only ticketed', () => {
    const event = withValue(
      runtimePod,
      `${WORKLOAD}.type`,
      'GeneratedFindingKubernetesWorkloadType',
    );
    const plan = planOf(event);
    expect(plan.playbook).toBe('ticket-only');
    expect(plan.reason).toContain('GeneratedFindingKubernetesWorkloadType workload');
  });

  it.each([
    [without(runtimePod, `${WORKLOAD}.name`), 'kubernetesWorkloadDetails.name is missing'],
    [withValue(runtimePod, `${WORKLOAD}.namespace`, null), 'kubernetesWorkloadDetails.namespace'],
    [
      without(
        without(runtimePod, 'detail.resource.eksClusterDetails'),
        'detail.resource.instanceDetails',
      ),
      'resource.eksClusterDetails.name is missing',
    ],
    [
      without(nodeFinding, 'detail.resource.instanceDetails.instanceId'),
      'resource.instanceDetails.instanceId is missing',
    ],
    [
      without(nodeFinding, 'detail.resource.instanceDetails.tags'),
      'resource.instanceDetails.tags is missing',
    ],
    [
      without(runtimePod, 'detail.resource.resourceType'),
      'pod-level compromise', // inferred from eksClusterDetails / kubernetesDetails
    ],
  ])('%# an incomplete finding becomes a ticket saying what is missing', (event, reason) => {
    const plan = planOf(event);
    expect(plan.playbook).not.toBeNull();
    expect(plan.reason).toContain(reason);
    expect(plan.steps.map((s) => s.action)).toContain('open-ticket');
  });

  it('a finding without service still plans (service is optional in the API model)', () => {
    expect(planOf(without(runtimePod, 'detail.service')).playbook).toBe('contain-pod');
  });
});

describe('InstanceCredentialExfiltration', () => {
  it('revokes the instance role named by the instance profile, even without a userType', () => {
    const plan = planOf(loadEvent('guardduty/credential-exfiltration-instance-profile.json'));
    expect(plan.playbook).toBe('revoke-identity');
    expect(plan.steps[0]).toMatchObject({
      action: 'revoke-role-sessions',
      subject: {
        kind: 'instance-profile-role',
        arn: 'arn:aws:iam::111122223333:instance-profile/eks-ng-batch-NodeInstanceProfile',
      },
    });
  });

  it('the reference shape (accessKeyDetails only) revokes the assumed role it names', () => {
    const plan = planOf(loadEvent('guardduty/credential-exfiltration-node-role.json'));
    expect(plan.playbook).toBe('revoke-identity');
    expect(plan.steps[0]?.subject).toEqual({
      kind: 'role',
      arn: 'arn:aws:iam::111122223333:role/eks-ng-general-NodeInstanceRole',
    });
  });
});
