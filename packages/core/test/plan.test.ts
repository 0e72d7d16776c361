import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEvent, REPO_ROOT, withValue } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import {
  createPlanner,
  normaliseEvent,
  type Plan,
  parseConfig,
  playbookInput,
  type TourniquetConfig,
} from '../src';

const SAMPLE_CONFIG = JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'));

function planFor(event: unknown, overrides: Partial<TourniquetConfig> = {}): Plan {
  return createPlanner(parseConfig({ ...SAMPLE_CONFIG, ...overrides })).plan(normaliseEvent(event));
}

const planOf = (file: string, overrides: Partial<TourniquetConfig> = {}) =>
  planFor(loadEvent(file), overrides);
const actions = (plan: Plan) => plan.steps.map((s) => s.action);
const skippedActions = (plan: Plan) => plan.skipped.map((s) => s.action);
const step = (plan: Plan, action: string) => plan.steps.find((s) => s.action === action);

describe('Policy: contain-pod', () => {
  const plan = planOf('guardduty/runtime-reverse-shell-payments.json');

  it('orders isolation first, then evidence, before anything destructive, ticket last', () => {
    expect(plan.playbook).toBe('contain-pod');
    expect(actions(plan)).toEqual([
      'isolate-pod',
      'label-pod',
      'capture-evidence',
      'protect-node',
      'cordon-node',
      'isolate-node',
      'revoke-role-sessions',
      'open-ticket',
    ]);
  });

  it('asks approval for the destructive steps only', () => {
    expect(plan.steps.filter((s) => s.approval === 'required').map((s) => s.action)).toEqual([
      'cordon-node',
      'isolate-node',
      'revoke-role-sessions',
    ]);
    expect(plan.steps.every((s) => !s.dryRun)).toBe(true);
  });

  it('targets the pod, its node and the IRSA role of its service account', () => {
    expect(step(plan, 'isolate-pod')?.target).toBe('pod/payments/payments-api-7d9f8b6c5-x2kqp');
    expect(step(plan, 'cordon-node')?.target).toBe('node/i-0a1b2c3d4e5f60718');
    expect(step(plan, 'revoke-role-sessions')?.subject).toEqual({
      kind: 'serviceaccount-role',
      namespace: 'payments',
      name: 'payments-api',
    });
  });

  it('plans isolate-node for an unprivileged pod only if isolate-pod reports it NOT isolated', () => {
    expect(plan.skipped).toEqual([]);
    expect(step(plan, 'isolate-node')).toMatchObject({
      approval: 'required',
      onlyIf: 'pod-not-isolated',
      target: 'node/i-0a1b2c3d4e5f60718',
    });
    expect(step(plan, 'cordon-node')?.onlyIf).toBeUndefined();
  });

  it('an unconditional isolate-node (privileged pod) carries no condition', () => {
    const p = planOf('guardduty/runtime-container-mounts-host-directory-batch.json');
    expect(step(p, 'isolate-node')?.onlyIf).toBeUndefined();
  });

  it('the escalation is asked for on its own: the upfront approval group leaves it out', () => {
    expect(playbookInput(plan).approval.actions).toEqual(['cordon-node', 'revoke-role-sessions']);
  });

  it.each([
    'guardduty/runtime-container-mounts-host-directory-batch.json',
    'guardduty/runtime-crypto-miner-hostnetwork-batch.json',
    'guardduty/audit-privileged-container-payments.json',
  ])('adds isolate-node (approval) after cordon for %s', (file) => {
    const p = planOf(file);
    expect(actions(p).indexOf('isolate-node')).toBe(actions(p).indexOf('cordon-node') + 1);
    expect(step(p, 'isolate-node')?.approval).toBe('required');
  });

  it('resolves the node from the pod at run time when the finding carries no instance', () => {
    const p = planOf('guardduty/audit-privileged-container-payments.json');
    expect(step(p, 'capture-evidence')?.target).toBe(
      'node-of-pod/payments/payments-debug-6c7b8d9e5-pq2rs',
    );
  });

  it('skips revoke-role-sessions when the finding names no service account', () => {
    const p = planOf('guardduty/audit-privileged-container-payments.json');
    expect(p.skipped).toContainEqual({
      action: 'revoke-role-sessions',
      reason: expect.stringContaining('no service account'),
    });
  });

  it('a second finding type on the same pod and a repeat land on the same incident', () => {
    const keys = [
      'guardduty/runtime-cc-activity-checkout.json',
      'guardduty/runtime-new-binary-checkout.json',
    ].map((f) => planOf(f).incidentKey);
    expect(keys[0]).toBe(keys[1]);
    expect(planOf('guardduty/runtime-reverse-shell-payments-repeat.json').incidentKey).toBe(
      plan.incidentKey,
    );
    expect(plan.incidentKey).toBe(
      '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp',
    );
  });

  it('a node tagged tourniquet.io/protect=true keeps the pod steps but skips every node step', () => {
    const event = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    event.detail.resource.instanceDetails.tags.push({
      key: 'tourniquet.io/protect',
      value: 'true',
    });
    const p = planFor(event);
    expect(p.playbook).toBe('contain-pod');
    expect(actions(p)).toEqual(['isolate-pod', 'label-pod', 'revoke-role-sessions', 'open-ticket']);
    expect(
      p.skipped.filter((s) => s.reason.includes('tourniquet.io/protect')).map((s) => s.action),
    ).toEqual(['capture-evidence', 'protect-node', 'cordon-node', 'isolate-node']);
  });
});

describe('Policy: safety rails', () => {
  it.each([
    'guardduty/runtime-reverse-shell-kube-system.json',
    'guardduty/runtime-new-binary-amazon-guardduty.json',
    'guardduty/audit-exec-in-kube-system-pod.json',
  ])('a pod in a protected namespace only gets a ticket that says why (%s)', (file) => {
    const p = planOf(file);
    expect(p.playbook).toBe('ticket-only');
    expect(actions(p)).toEqual(['open-ticket']);
    expect(p.reason).toMatch(/namespace .* is protected/);
    expect(skippedActions(p)).toContain('isolate-pod');
    expect(p.skipped.every((s) => s.reason.includes('is protected'))).toBe(true);
    expect(p.skipped.every((s) => s.protected === true)).toBe(true);
  });

  it('protectedNamespaces comes from the config', () => {
    const p = planOf('guardduty/runtime-reverse-shell-payments.json', {
      protectedNamespaces: ['payments'],
    });
    expect(p.playbook).toBe('ticket-only');
    expect(
      planOf('guardduty/runtime-reverse-shell-kube-system.json', { protectedNamespaces: [] })
        .playbook,
    ).toBe('contain-pod');
  });

  it('a protected node gets a ticket only', () => {
    const p = planOf('guardduty/node-runtime-reverse-shell-protected-node.json');
    expect(p.playbook).toBe('ticket-only');
    expect(skippedActions(p)).toEqual([
      'capture-evidence',
      'protect-node',
      'quarantine-instance-profile',
      'cordon-node',
      'isolate-node',
      'revoke-role-sessions',
    ]);
  });

  it('a GuardDuty sample finding gets the same plan, every step dry-run', () => {
    const p = planOf('guardduty/runtime-sample-reverse-shell-payments-ledger.json');
    expect(p.playbook).toBe('contain-pod');
    expect(p.steps.length).toBeGreaterThan(1);
    expect(p.steps.every((s) => s.dryRun)).toBe(true);
    expect(p.reason).toContain('sample finding');
  });

  it('config.dryRun makes every step dry-run; dryRunActions only those', () => {
    expect(
      planOf('guardduty/runtime-reverse-shell-payments.json', { dryRun: true }).steps.every(
        (s) => s.dryRun,
      ),
    ).toBe(true);
    const p = planOf('guardduty/runtime-reverse-shell-payments.json', {
      dryRunActions: ['cordon-node'],
    });
    expect(p.steps.filter((s) => s.dryRun).map((s) => s.action)).toEqual(['cordon-node']);
  });

  it('severity below the threshold only gets a ticket, listing what it did not do', () => {
    const p = planOf('guardduty/runtime-raw-socket-data-low.json');
    expect(p.playbook).toBe('ticket-only');
    expect(p.reason).toBe('severity LOW is below the MEDIUM threshold');
    expect(skippedActions(p)).toContain('isolate-pod');
    expect(
      planOf('guardduty/runtime-new-binary-checkout.json', { minimumSeverity: 'HIGH' }).playbook,
    ).toBe('ticket-only');
    expect(
      planOf('guardduty/runtime-raw-socket-data-low.json', { minimumSeverity: 'LOW' }).playbook,
    ).toBe('contain-pod');
  });

  it('approvalRequired comes from the config', () => {
    const p = planOf('guardduty/runtime-reverse-shell-payments.json', { approvalRequired: [] });
    expect(p.steps.every((s) => s.approval === 'auto')).toBe(true);
    const q = planOf('guardduty/runtime-reverse-shell-payments.json', {
      approvalRequired: ['isolate-pod'],
    });
    expect(q.steps.filter((s) => s.approval === 'required').map((s) => s.action)).toEqual([
      'isolate-pod',
    ]);
  });

  it.each([
    [
      'guardduty/runtime-new-binary-legacy-cluster.json',
      /cluster legacy-eks-00 .* is not in the configuration/,
    ],
    [
      'config/eks-endpoint-no-public-access-other-account.json',
      /cluster prod-eks-01 in 444455556666\/us-east-1 is not in the configuration/,
    ],
    [
      'cloudtrail/irsa-assume-web-identity-unknown-oidc-provider.json',
      /belongs to no configured cluster/,
    ],
  ])('%s: a target outside the configuration gets a ticket, no containment', (file, reason) => {
    const p = planOf(file);
    expect(p.playbook).toBe('ticket-only');
    expect(p.reason).toMatch(reason);
  });

  it('an event for another account naming a configured cluster does nothing destructive', () => {
    const forged = withValue(
      loadEvent('guardduty/runtime-reverse-shell-payments.json'),
      'detail.accountId',
      '999999999999',
    );
    const p = planFor(forged);
    expect(p.playbook).toBe('ticket-only');
    expect(actions(p)).toEqual(['open-ticket']);
  });

  it('without configured clusters, plans are not restricted', () => {
    expect(
      planOf('guardduty/runtime-new-binary-legacy-cluster.json', { clusters: [] }).playbook,
    ).toBe('contain-pod');
  });

  it('every plan that runs anything ends with open-ticket, and a plan with no playbook runs nothing', () => {
    for (const file of [
      'guardduty/runtime-reverse-shell-payments.json',
      'config/restricted-ssh-noncompliant.json',
      'cloudtrail/irsa-assume-web-identity-outside-egress.json',
      'guardduty/audit-anonymous-access-granted.json',
    ]) {
      expect(planOf(file).steps.at(-1)?.action).toBe('open-ticket');
    }
    const none = planOf('negative/config-eks-endpoint-no-public-access-compliant.json');
    expect(none).toMatchObject({ playbook: null, steps: [], skipped: [] });
  });
});

describe('Policy: contain-node', () => {
  it('captures evidence and protects the node before cordon and isolation, then revokes the node role', () => {
    const p = planOf('guardduty/node-runtime-cc-activity-ng-general.json');
    expect(p.playbook).toBe('contain-node');
    expect(actions(p)).toEqual([
      'capture-evidence',
      'protect-node',
      'quarantine-instance-profile',
      'cordon-node',
      'isolate-node',
      'revoke-role-sessions',
      'open-ticket',
    ]);
    expect(step(p, 'revoke-role-sessions')?.subject.kind).toBe('instance-profile-role');
    expect(p.incidentKey).toBe('111122223333:us-east-1:prod-eks-01:node:i-0c3d4e5f607182930');
  });

  it("swaps the one instance's profile without approval; revoking the shared node role is always approved", () => {
    const p = planOf('guardduty/node-runtime-cc-activity-ng-general.json', {
      approvalRequired: [],
    });
    expect(step(p, 'quarantine-instance-profile')).toMatchObject({
      approval: 'auto',
      target: 'node/i-0c3d4e5f607182930',
    });
    expect(step(p, 'revoke-role-sessions')?.approval).toBe('required');
    expect(step(p, 'cordon-node')?.approval).toBe('auto');
  });

  it('a node finding without an instance profile skips the role revocation', () => {
    const event = withValue(
      loadEvent('guardduty/node-runtime-cc-activity-ng-general.json'),
      'detail.resource.instanceDetails.iamInstanceProfile',
      null,
    );
    expect(planFor(event).skipped).toContainEqual({
      action: 'revoke-role-sessions',
      reason: expect.stringContaining('instance profile'),
    });
  });

  it('an instance that is not an EKS node gets no plan', () => {
    const p = planOf('negative/guardduty-ec2-ssh-brute-force-bastion.json');
    expect(p.playbook).toBeNull();
    expect(p.reason).toMatch(/not an EKS node/);
  });
});

describe('Policy: revoke-identity', () => {
  it('IRSA used from outside the egress CIDRs: revoke sessions, then block the service account', () => {
    const p = planOf('cloudtrail/irsa-assume-web-identity-outside-egress.json');
    expect(p.playbook).toBe('revoke-identity');
    expect(actions(p)).toEqual(['revoke-role-sessions', 'block-web-identity', 'open-ticket']);
    expect(step(p, 'block-web-identity')?.subject).toMatchObject({
      kind: 'web-identity',
      namespace: 'payments',
    });
    expect(p.steps.slice(0, 2).every((s) => s.approval === 'required')).toBe(true);
    expect(p.finding.cluster).toBe('prod-eks-01');
    expect(p.incidentKey).toMatch(/^111122223333:global:-:role:/);
  });

  it('a later call with the session from outside revokes; block-web-identity is skipped with the reason', () => {
    const p = planOf('cloudtrail/irsa-session-ec2-start-instances-outside.json');
    expect(p.playbook).toBe('revoke-identity');
    expect(actions(p)).toEqual(['revoke-role-sessions', 'open-ticket']);
    expect(p.skipped).toEqual([
      {
        action: 'block-web-identity',
        reason: expect.stringContaining('does not name the service account'),
      },
    ]);
  });

  it.each([
    'cloudtrail/irsa-assume-web-identity-inside-vpc.json',
    'cloudtrail/irsa-assume-web-identity-nat-range.json',
    'cloudtrail/irsa-session-secretsmanager-get-secret-value-inside.json',
  ])('a call from inside the egress CIDRs gets no plan (%s)', (file) => {
    const p = planOf(file);
    expect(p.playbook).toBeNull();
    expect(p.reason).toMatch(/inside prod-eks-01's egress CIDRs/);
  });

  it('AccessDenied on AssumeRoleWithWebIdentity is an anomaly even from inside', () => {
    const p = planOf('cloudtrail/irsa-assume-web-identity-access-denied.json');
    expect(p.playbook).toBe('revoke-identity');
    expect(p.reason).toMatch(/denied/);
  });

  describe('AccessDenied AssumeRoleWithWebIdentity contains the requesting service account', () => {
    const denied = loadEvent('cloudtrail/irsa-assume-web-identity-access-denied.json');
    const asked = denied.detail.requestParameters.roleArn as string;
    const variants: Array<[string, string]> = [
      ['the sample', asked],
      ['a role in a foreign account', 'arn:aws:iam::999988887777:role/payments-api-irsa'],
      ['a role under a path', 'arn:aws:iam::111122223333:role/team/payments-api-irsa'],
      ['a string that is no ARN', 'payments-api-irsa'],
    ];

    it.each(variants)(
      '%s: its own IRSA role and its token, never the role it asked for',
      (_, arn) => {
        const p = planFor(withValue(denied, 'detail.requestParameters.roleArn', arn));
        expect(p.playbook).toBe('revoke-identity');
        expect(actions(p)).toEqual(['revoke-role-sessions', 'block-web-identity', 'open-ticket']);
        expect(step(p, 'revoke-role-sessions')?.subject).toEqual({
          kind: 'serviceaccount-role',
          namespace: 'batch',
          name: 'batch-runner',
        });
        expect(step(p, 'block-web-identity')?.subject).toEqual({
          kind: 'web-identity',
          roleArn: null,
          namespace: 'batch',
          serviceAccount: 'batch-runner',
        });
        for (const s of p.steps) {
          expect(s.target).not.toContain('payments-api-irsa');
          expect(JSON.stringify(s.subject)).not.toContain('payments-api-irsa');
        }
        expect(p.finding.role).toBeNull();
        expect(p.reason).toContain(arn);
        expect(p.reason).toContain('not a target');
        expect(p.incidentKey).toBe(
          '111122223333:us-east-1:prod-eks-01:serviceaccount:batch/batch-runner',
        );
      },
    );

    it('without a configured cluster for the issuer, the service account cannot be looked up', () => {
      const p = planFor(denied, { clusters: [] });
      expect(actions(p)).toEqual(['open-ticket']);
      expect(p.skipped.map((s) => s.reason)).toEqual([
        expect.stringContaining('cannot be looked up'),
        expect.stringContaining('cannot be looked up'),
      ]);
    });

    it('another error code issued no session: a ticket, no containment', () => {
      const p = planFor(withValue(denied, 'detail.errorCode', 'InvalidIdentityToken'));
      expect(p.playbook).toBe('ticket-only');
      expect(p.reason).toMatch(/failed with InvalidIdentityToken/);
    });
  });

  it('a role ARN in another account than the finding gets a ticket only, with the reason', () => {
    const event = withValue(
      loadEvent('cloudtrail/irsa-assume-web-identity-outside-egress.json'),
      'detail.requestParameters.roleArn',
      'arn:aws:iam::999988887777:role/payments-api-irsa',
    );
    const p = planFor(event);
    expect(p.playbook).toBe('ticket-only');
    expect(actions(p)).toEqual(['open-ticket']);
    expect(p.reason).toBe(
      "arn:aws:iam::999988887777:role/payments-api-irsa is in account 999988887777, not the finding's account 111122223333; Tourniquet does not act on it",
    );
    expect(skippedActions(p)).toEqual(['revoke-role-sessions', 'block-web-identity']);
  });

  it('a role reached through IRSA carries the service account its trust policy must name', () => {
    const p = planOf('cloudtrail/irsa-assume-web-identity-outside-egress.json');
    expect(step(p, 'revoke-role-sessions')?.subject).toEqual({
      kind: 'role',
      arn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
      irsa: { serviceAccount: { namespace: 'payments', name: 'payments-api' } },
    });
    const session = planOf('cloudtrail/irsa-session-ec2-start-instances-outside.json');
    expect(step(session, 'revoke-role-sessions')?.subject).toMatchObject({
      kind: 'role',
      irsa: { serviceAccount: null },
    });
    const guardDuty = planOf('guardduty/credential-exfiltration-irsa-payments-api.json');
    expect(step(guardDuty, 'revoke-role-sessions')?.subject).not.toHaveProperty('irsa');
  });

  it('a cluster without egress CIDRs gets a ticket, not a revocation', () => {
    const p = planOf('cloudtrail/irsa-assume-web-identity-staging-outside.json');
    expect(p.playbook).toBe('ticket-only');
    expect(p.reason).toMatch(/staging-eks-02 has no egressCidrs configured/);
  });

  it('a call made through an AWS service (no source IP) gets no plan', () => {
    const event = withValue(
      loadEvent('cloudtrail/irsa-session-ec2-start-instances-outside.json'),
      'detail.sourceIPAddress',
      'autoscaling.amazonaws.com',
    );
    const p = planFor(event);
    expect(p.playbook).toBeNull();
    expect(p.reason).toMatch(/through an AWS service/);
  });

  it('GuardDuty credential findings revoke the role; block-web-identity is skipped (not a web identity)', () => {
    for (const file of [
      'guardduty/credential-exfiltration-node-role.json',
      'guardduty/credential-exfiltration-irsa-payments-api.json',
    ]) {
      const p = planOf(file);
      expect(p.playbook).toBe('revoke-identity');
      expect(actions(p)).toEqual(['revoke-role-sessions', 'open-ticket']);
      expect(p.skipped).toEqual([
        { action: 'block-web-identity', reason: 'the credentials are not an IRSA web identity' },
      ]);
    }
  });

  it('non-IRSA CloudTrail calls get no plan', () => {
    expect(planOf('negative/cloudtrail-iam-user-get-secret-value.json').playbook).toBeNull();
  });
});

describe('Policy: remediate-config', () => {
  it.each([
    ['config/ec2-imdsv2-check-noncompliant-node.json', 'require-imdsv2', 'auto', 'instance/'],
    [
      'config/securityhub-ec2-imdsv2-check-noncompliant-node.json',
      'require-imdsv2',
      'auto',
      'instance/',
    ],
    [
      'config/eks-endpoint-no-public-access-noncompliant.json',
      'disable-public-endpoint',
      'required',
      'cluster/prod-eks-01',
    ],
    [
      'config/securityhub-eks-endpoint-no-public-access-noncompliant.json',
      'disable-public-endpoint',
      'required',
      'cluster/prod-eks-01',
    ],
    [
      'config/eks-cluster-logging-enabled-noncompliant.json',
      'enable-control-plane-logging',
      'auto',
      'cluster/',
    ],
    [
      'config/restricted-ssh-noncompliant.json',
      'revoke-open-ingress',
      'required',
      'security-group/sg-',
    ],
    [
      'config/vpc-sg-open-only-to-authorized-ports-noncompliant.json',
      'revoke-open-ingress',
      'required',
      'security-group/sg-',
    ],
  ])('%s → %s (%s) on %s', (file, action, approval, target) => {
    const p = planOf(file);
    expect(p.playbook).toBe('remediate-config');
    expect(actions(p)).toEqual([action, 'open-ticket']);
    expect(p.steps[0]?.approval).toBe(approval);
    expect(p.steps[0]?.target.startsWith(target)).toBe(true);
  });

  it.each([
    ['config/eks-secrets-encrypted-noncompliant.json', /no automatic remediation/],
    ['config/eks-cluster-supported-version-noncompliant.json', /not a rule Tourniquet remediates/],
  ])('%s → ticket-only', (file, reason) => {
    const p = planOf(file);
    expect(p.playbook).toBe('ticket-only');
    expect(p.reason).toMatch(reason);
  });

  it.each([
    ['negative/config-eks-endpoint-no-public-access-compliant.json', /COMPLIANT/],
    [
      'negative/config-s3-bucket-public-read-prohibited-noncompliant.json',
      /outside Tourniquet's scope/,
    ],
  ])('%s → no plan', (file, reason) => {
    const p = planOf(file);
    expect(p.playbook).toBeNull();
    expect(p.reason).toMatch(reason);
  });
});

describe('Policy: ticket-only GuardDuty findings', () => {
  it.each([
    ['guardduty/audit-anonymous-access-granted.json', /names no workload/],
    ['guardduty/audit-successful-anonymous-access.json', /names no workload/],
    ['guardduty/audit-malicious-ip-caller-secrets.json', /names no workload/],
    ['guardduty/audit-sensitive-mount-deployment-data.json', /deployments workload/],
  ])('%s', (file, reason) => {
    const p = planOf(file);
    expect(p.playbook).toBe('ticket-only');
    expect(p.reason).toMatch(reason);
    expect(p.incidentKey).toBe('111122223333:us-east-1:prod-eks-01:cluster:prod-eks-01');
  });

  it('non-EKS GuardDuty findings get no plan', () => {
    expect(planOf('negative/guardduty-s3-malicious-ip-caller.json').playbook).toBeNull();
  });
});
