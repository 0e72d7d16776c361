import { describe, expect, it } from 'vitest';
import { functionStatements, type ScopeContext } from '../../infra/permissions';
import { outOfScopeAttempts } from '../../scripts/iam/outOfScope';
import { evaluate } from '../../scripts/iam/simulate';

/**
 * Attacks through a stolen or misdirected function role: each attempt reaches outside what
 * Tourniquet may touch (another VPC, region, cluster or account; its own, administrative or
 * protected roles; calls a function does not declare). The function's generated policy must
 * deny it, as decided by an IAM evaluation engine (the same attempts end `npm run iam:verify`).
 */
const ACCOUNT = '111122223333';
const scope: ScopeContext = {
  partition: 'aws',
  account: ACCOUNT,
  region: 'us-east-1',
  clusters: [
    {
      name: 'prod-eks-01',
      account: ACCOUNT,
      region: 'us-east-1',
      egressCidrs: [],
      quarantineSecurityGroups: { 'vpc-0a1b2c3d4e5f67890': 'sg-0badc0ffee0000001' },
    },
    {
      name: 'staging-eks-02',
      account: ACCOUNT,
      region: 'us-west-2',
      egressCidrs: [],
      quarantineSecurityGroups: { 'vpc-0f1e2d3c4b5a69788': 'sg-0badc0ffee0000002' },
    },
  ] as ScopeContext['clusters'],
  tables: {
    incidents: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/tourniquet-test-incidents`,
    approvals: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/tourniquet-test-approvals`,
  },
  stateMachines: [`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:tourniquet-test-contain-pod`],
  keys: {
    approvalsTable: `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000001`,
    taskTokens: `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000002`,
  },
  secrets: { slack: [], tickets: [] },
  ownRolePrefix: 'tourniquet-test',
  deadLetterQueue: `arn:aws:sqs:us-east-1:${ACCOUNT}:tourniquet-test-triage-dlq`,
};
const attempts = await outOfScopeAttempts(
  { partition: 'aws', account: ACCOUNT, facts: new Map() },
  scope,
);

describe('least privilege: out-of-scope attempts are denied by the generated policies', () => {
  it('covers every kind of attempt', () => {
    expect(attempts.length).toBeGreaterThanOrEqual(25);
  });

  it.each(attempts.map((a) => [`${a.function} cannot ${a.what}`, a] as const))(
    '%s',
    async (_, a) => {
      const decision = await evaluate(
        `arn:aws:iam::${ACCOUNT}:role/tourniquet-test-${a.function}`,
        ACCOUNT,
        functionStatements(a.function, scope),
        a.request,
      );
      expect(decision).not.toBe('Allowed');
    },
  );
});
