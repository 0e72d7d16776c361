import { loadEvent, without, withValue } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { EventValidationError, normaliseEvent, severityFromScore } from '../src';

const runtimePod = loadEvent('guardduty/runtime-reverse-shell-payments.json');

function rejection(event: unknown): string {
  try {
    normaliseEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return (error as Error).message;
  }
  throw new Error('expected the event to be rejected');
}

describe('Normaliser: GuardDuty', () => {
  it('a Runtime Monitoring finding on a pod names pod, node, cluster and service account', () => {
    const f = normaliseEvent(runtimePod);
    expect(f).toMatchObject({
      origin: 'guardduty',
      type: 'Execution:Runtime/ReverseShell',
      severity: 'HIGH',
      account: '111122223333',
      region: 'us-east-1',
      cluster: 'prod-eks-01',
      pod: {
        namespace: 'payments',
        name: 'payments-api-7d9f8b6c5-x2kqp',
        serviceAccount: 'payments-api',
      },
      node: { instanceId: 'i-0a1b2c3d4e5f60718' },
      role: null,
      resource: { type: 'EKSCluster', id: 'prod-eks-01' },
      count: 1,
      sample: false,
      context: {
        resourceType: 'EKSCluster',
        featureName: 'RuntimeMonitoring',
        workloadType: 'pods',
      },
    });
    expect(f.pod?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.node?.tags['eks:cluster-name']).toBe('prod-eks-01');
    expect(f.id).toBe(runtimePod.detail.id);
    expect(f.eventId).toBe(runtimePod.id);
    expect(f.exposure).toEqual({
      privileged: false,
      hostNetwork: false,
      hostPID: false,
      hostPathMount: false,
      escapeFinding: false,
    });
  });

  it('a repeated finding keeps its id and carries the higher count and later lastSeen', () => {
    const first = normaliseEvent(runtimePod);
    const repeat = normaliseEvent(
      loadEvent('guardduty/runtime-reverse-shell-payments-repeat.json'),
    );
    expect(repeat.id).toBe(first.id);
    expect(repeat.count).toBeGreaterThan(first.count);
    expect(Date.parse(repeat.lastSeen)).toBeGreaterThan(Date.parse(first.lastSeen));
  });

  it('a node finding (resourceType Instance) takes the cluster from the eks:cluster-name tag', () => {
    const f = normaliseEvent(loadEvent('guardduty/node-runtime-new-binary-ng-batch.json'));
    expect(f).toMatchObject({
      cluster: 'prod-eks-01',
      pod: null,
      node: { instanceId: 'i-0b2c3d4e5f6071829' },
      resource: { type: 'Instance', id: 'i-0b2c3d4e5f6071829' },
    });
    expect(f.node?.instanceProfileArn).toMatch(/:instance-profile\//);
  });

  it('falls back to the kubernetes.io/cluster/<name> tag when eks:cluster-name is absent', () => {
    const event = loadEvent('guardduty/node-runtime-new-binary-ng-batch.json');
    event.detail.resource.instanceDetails.tags = [
      { key: 'kubernetes.io/cluster/prod-eks-01', value: 'owned' },
    ];
    expect(normaliseEvent(event).cluster).toBe('prod-eks-01');
  });

  it('a non-EKS instance has no cluster', () => {
    const f = normaliseEvent(loadEvent('negative/guardduty-ec2-ssh-brute-force-bastion.json'));
    expect(f.cluster).toBeNull();
    expect(f.node).not.toBeNull();
  });

  it('an audit-log finding with a pod workload flags a privileged container as a host escape risk', () => {
    const f = normaliseEvent(loadEvent('guardduty/audit-privileged-container-payments.json'));
    expect(f.pod).toMatchObject({ namespace: 'payments', name: 'payments-debug-6c7b8d9e5-pq2rs' });
    expect(f.node).toBeNull();
    expect(f.exposure.privileged).toBe(true);
    expect(f.exposure.escapeFinding).toBe(true);
  });

  it('an audit-log finding with kubernetesWorkloadDetails null names no pod', () => {
    const event = loadEvent('guardduty/audit-anonymous-access-granted.json');
    expect(event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails).toBeNull();
    const f = normaliseEvent(event);
    expect(f.pod).toBeNull();
    expect(f.cluster).toBe('prod-eks-01');
    expect(f.context).toMatchObject({ workloadType: null });
  });

  it('a workload that is not a pod (deployments) is recorded but names no pod', () => {
    const f = normaliseEvent(loadEvent('guardduty/audit-sensitive-mount-deployment-data.json'));
    expect(f.pod).toBeNull();
    expect(f.context).toMatchObject({ workloadType: 'deployments', workloadName: 'etl-scheduler' });
  });

  it('host mounts, hostPID and hostNetwork are exposure signals', () => {
    const mount = normaliseEvent(
      loadEvent('guardduty/runtime-container-mounts-host-directory-batch.json'),
    );
    expect(mount.exposure).toMatchObject({
      hostPathMount: true,
      hostPID: true,
      escapeFinding: true,
    });
    const hostNet = normaliseEvent(
      loadEvent('guardduty/runtime-crypto-miner-hostnetwork-batch.json'),
    );
    expect(hostNet.exposure.hostNetwork).toBe(true);
  });

  it('an AccessKey credential finding on an assumed role names the role', () => {
    const f = normaliseEvent(loadEvent('guardduty/credential-exfiltration-node-role.json'));
    expect(f.role?.arn).toMatch(/^arn:aws:iam::111122223333:role\/.+NodeInstanceRole$/);
    expect(f.context).toMatchObject({ resourceType: 'AccessKey', principalType: 'AssumedRole' });
  });

  it('an AccessKey finding on an IAM user names no role', () => {
    const event = withValue(
      loadEvent('guardduty/credential-exfiltration-node-role.json'),
      'detail.resource.accessKeyDetails.userType',
      'IAMUser',
    );
    expect(normaliseEvent(event).role).toBeNull();
  });

  it('GuardDuty sample findings are flagged (additionalInfo.sample, boolean or string)', () => {
    expect(
      normaliseEvent(loadEvent('guardduty/runtime-sample-reverse-shell-payments-ledger.json'))
        .sample,
    ).toBe(true);
    const stringly = withValue(runtimePod, 'detail.service.additionalInfo', { sample: 'true' });
    expect(normaliseEvent(stringly).sample).toBe(true);
  });

  it('accepts epoch-second timestamps and normalises them to ISO-8601', () => {
    const event = loadEvent('guardduty/runtime-cc-dns-checkout-worker-epoch-timestamps.json');
    expect(typeof event.detail.createdAt).toBe('number');
    const f = normaliseEvent(event);
    expect(f.firstSeen).toBe(new Date(event.detail.service.eventFirstSeen * 1000).toISOString());
    expect(f.lastSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('accepts epoch-millisecond timestamps', () => {
    const event = without(
      without(runtimePod, 'detail.service.eventFirstSeen'),
      'detail.service.eventLastSeen',
    );
    event.detail.createdAt = Date.parse('2025-03-10T14:40:58.640Z');
    expect(normaliseEvent(event).firstSeen).toBe('2025-03-10T14:40:58.640Z');
  });

  it('a non-EKS finding (S3) still normalises', () => {
    const f = normaliseEvent(loadEvent('negative/guardduty-s3-malicious-ip-caller.json'));
    expect(f.context).toMatchObject({ resourceType: 'S3Bucket' });
    expect(f.cluster).toBeNull();
  });

  it.each([
    [withValue(runtimePod, 'detail.severity', 'HIGH'), 'detail.severity'],
    [withValue(runtimePod, 'detail.severity', 42), 'detail.severity'],
    [without(runtimePod, 'detail.id'), 'detail.id'],
    [withValue(runtimePod, 'detail.accountId', '1111'), 'detail.accountId'],
    [withValue(runtimePod, 'detail.createdAt', 'yesterday-ish'), 'detail.createdAt'],
    [
      withValue(runtimePod, 'detail.resource.instanceDetails.instanceId', 'node-7'),
      'detail.resource.instanceDetails.instanceId',
    ],
    [withValue(runtimePod, 'detail.service.count', -1), 'detail.service.count'],
  ])('rejects a broken finding naming the field (%#: %s)', (event, field) => {
    expect(rejection(event)).toContain(`${field}:`);
  });

  it.each([
    [1, 'LOW'],
    [3.9, 'LOW'],
    [4, 'MEDIUM'],
    [6.9, 'MEDIUM'],
    [7, 'HIGH'],
    [8.9, 'HIGH'],
    [9, 'CRITICAL'],
    [10, 'CRITICAL'],
  ] as const)('severity %d is %s', (score, severity) => {
    expect(severityFromScore(score)).toBe(severity);
  });
});
