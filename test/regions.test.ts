import { describe, expect, it } from 'vitest';
import { forwardingRegions } from '../infra/forwardingRegions';
import { functionStatements, type ScopeContext } from '../infra/permissions';

const base: Omit<ScopeContext, 'partition' | 'region' | 'clusters'> = {
  account: '111122223333',
  tables: { incidents: 'incidents', approvals: 'approvals' },
  stateMachines: [],
  keys: { approvalsTable: 'k1', taskTokens: 'k2' },
  secrets: { slack: [], tickets: [] },
  ownRolePrefix: 'tourniquet-test',
  deadLetterQueue: 'dlq',
};
const cluster = (name: string, region: string, vpc: string) => ({
  name,
  account: '111122223333',
  region,
  egressCidrs: [],
  quarantineSecurityGroups: { [vpc]: 'sg-0badc0ffee0000001' },
});
const resources = (name: Parameters<typeof functionStatements>[0], scope: ScopeContext) =>
  functionStatements(name, scope).flatMap((s) => s.Resource);
const conditions = (name: Parameters<typeof functionStatements>[0], scope: ScopeContext) =>
  JSON.stringify(functionStatements(name, scope).map((s) => s.Condition ?? null));

describe('every region and partition', () => {
  const twoRegions: ScopeContext = {
    ...base,
    partition: 'aws',
    region: 'us-east-1',
    clusters: [
      cluster('prod-eks-01', 'us-east-1', 'vpc-0aaa'),
      cluster('eu-eks-01', 'eu-west-1', 'vpc-0bbb'),
    ] as ScopeContext['clusters'],
  };

  it("scopes EC2 writes to every cluster's region, and ec2:Vpc to each cluster's VPC in its own region", () => {
    const isolate = resources('isolate-pod', twoRegions);
    for (const region of ['us-east-1', 'eu-west-1'])
      expect(isolate).toContain(`arn:aws:ec2:${region}:111122223333:network-interface/*`);
    const vpcs = conditions('isolate-pod', twoRegions);
    expect(vpcs).toContain('arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0aaa');
    expect(vpcs).toContain('arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0bbb');
    expect(vpcs).not.toContain('arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0bbb');
  });

  it('names snapshots as AWS does: per region, without an account', () => {
    const capture = resources('capture-evidence', twoRegions);
    expect(capture).toContain('arn:aws:ec2:us-east-1::snapshot/*');
    expect(capture).toContain('arn:aws:ec2:eu-west-1::snapshot/*');
    expect(capture.some((r) => /ec2::\d+:snapshot/.test(r))).toBe(false);
  });

  it('uses the partition of the stage in every ARN and the DynamoDB host of its DNS suffix', () => {
    const china: ScopeContext = {
      ...base,
      partition: 'aws-cn',
      region: 'cn-north-1',
      clusters: [cluster('cn-eks', 'cn-northwest-1', 'vpc-0ccc')] as ScopeContext['clusters'],
    };
    for (const name of [
      'isolate-pod',
      'capture-evidence',
      'protect-node',
      'revoke-role-sessions',
    ] as const)
      for (const arn of resources(name, china).filter((r) => r.startsWith('arn:')))
        expect(arn).toMatch(/^arn:aws-cn:/);
    expect(resources('capture-evidence', china)).toContain(
      'arn:aws-cn:ec2:cn-northwest-1::snapshot/*',
    );
    expect(conditions('decide', china)).toContain(
      '"kms:ViaService":"dynamodb.cn-north-1.amazonaws.com.cn"',
    );
  });

  it('denies IAM writes on administrative and protected roles', () => {
    const denied = functionStatements('revoke-role-sessions', twoRegions).filter(
      (s) => s.Effect === 'Deny',
    );
    const arns = denied.flatMap((s) => s.Resource);
    expect(arns).toContain('arn:aws:iam::111122223333:role/OrganizationAccountAccessRole');
    expect(arns).toContain('arn:aws:iam::111122223333:role/aws-reserved/*');
    expect(JSON.stringify(denied)).toContain('aws:ResourceTag/tourniquet.io/protect');
  });

  it('forwards every cluster region, plus the global STS region for CloudTrail', () => {
    expect(forwardingRegions('eu-west-1', ['eu-west-1', 'us-west-2'])).toEqual([
      { region: 'us-west-2', rules: 'all' },
      { region: 'us-east-1', rules: 'cloudtrail' },
    ]);
    expect(forwardingRegions('us-east-1', ['us-east-1', 'eu-west-1'])).toEqual([
      { region: 'eu-west-1', rules: 'all' },
    ]);
    expect(forwardingRegions('eu-west-1', ['us-east-1'])).toEqual([
      { region: 'us-east-1', rules: 'all' },
    ]);
    expect(forwardingRegions('cn-northwest-1', ['cn-northwest-1'])).toEqual([
      { region: 'cn-north-1', rules: 'cloudtrail' },
    ]);
  });
});
