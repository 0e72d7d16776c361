import { loadEvent, without, withValue } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { canonicalRuleName, EventValidationError, normaliseEvent } from '../src';

const endpoint = loadEvent('config/eks-endpoint-no-public-access-noncompliant.json');

describe('Normaliser: AWS Config compliance change', () => {
  it('a NON_COMPLIANT EKS cluster names the cluster and the rule', () => {
    const f = normaliseEvent(endpoint);
    expect(f).toMatchObject({
      origin: 'config',
      type: 'Config:eks-endpoint-no-public-access',
      severity: 'HIGH',
      cluster: 'prod-eks-01',
      resource: { type: 'AWS::EKS::Cluster', id: 'prod-eks-01' },
      context: {
        ruleName: 'eks-endpoint-no-public-access',
        rule: 'eks-endpoint-no-public-access',
        compliance: 'NON_COMPLIANT',
        previousCompliance: 'COMPLIANT',
      },
    });
    expect(f.title).toContain('NON_COMPLIANT');
  });

  it('maps a Security Hub-managed rule name back to the managed rule', () => {
    const f = normaliseEvent(
      loadEvent('config/securityhub-eks-endpoint-no-public-access-noncompliant.json'),
    );
    expect(f.context).toMatchObject({ rule: 'eks-endpoint-no-public-access' });
    expect((f.context as { ruleName: string }).ruleName).toMatch(
      /^securityhub-eks-endpoint-no-public-access-[0-9a-f]{8}$/,
    );
  });

  it('tolerates a missing oldEvaluationResult (first evaluation)', () => {
    const event = loadEvent('config/eks-endpoint-no-public-access-staging-first-evaluation.json');
    expect(event.detail.oldEvaluationResult).toBeUndefined();
    expect(normaliseEvent(event).context).toMatchObject({ previousCompliance: null });
  });

  it('an EC2 instance or security group has no cluster', () => {
    expect(
      normaliseEvent(loadEvent('config/ec2-imdsv2-check-noncompliant-node.json')),
    ).toMatchObject({
      cluster: null,
      resource: { type: 'AWS::EC2::Instance' },
    });
    expect(normaliseEvent(loadEvent('config/restricted-ssh-noncompliant.json'))).toMatchObject({
      cluster: null,
      resource: { type: 'AWS::EC2::SecurityGroup' },
    });
  });

  it('a COMPLIANT change normalises with its compliance', () => {
    const f = normaliseEvent(
      loadEvent('negative/config-eks-endpoint-no-public-access-compliant.json'),
    );
    expect(f.context).toMatchObject({ compliance: 'COMPLIANT' });
  });

  it.each([
    ['securityhub-eks-endpoint-no-public-access-baa2cf8c', 'eks-endpoint-no-public-access'],
    ['securityhub-ec2-imdsv2-check-0f1e2d3c', 'ec2-imdsv2-check'],
    ['restricted-ssh-conformance-pack-abc123xyz', 'restricted-ssh'],
    ['EKS-Cluster-Logging-Enabled', 'eks-cluster-logging-enabled'],
    ['my-own-rule', 'my-own-rule'],
    ['securityhub-not-a-hash', 'securityhub-not-a-hash'],
  ])('canonical name of %s is %s', (name, rule) => {
    expect(canonicalRuleName(name)).toBe(rule);
  });

  it.each([
    [without(endpoint, 'detail.configRuleName'), 'detail.configRuleName'],
    [
      withValue(endpoint, 'detail.newEvaluationResult.complianceType', 'BROKEN'),
      'detail.newEvaluationResult.complianceType',
    ],
    [without(endpoint, 'detail.newEvaluationResult'), 'detail.newEvaluationResult'],
    [withValue(endpoint, 'detail.messageType', 'ScheduledNotification'), 'detail.messageType'],
    [withValue(endpoint, 'detail.awsRegion', 'mars-1'), 'detail.awsRegion'],
    [without(endpoint, 'detail.resourceId'), 'detail.resourceId'],
  ])('rejects a broken change naming the field (%#: %s)', (event, field) => {
    expect(() => normaliseEvent(event)).toThrow(EventValidationError);
    expect(() => normaliseEvent(event)).toThrow(`${field}:`);
  });
});
