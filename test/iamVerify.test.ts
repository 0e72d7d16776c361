import { describe, expect, it } from 'vitest';
import { functionStatements, type ScopeContext } from '../infra/permissions';
import { authRequests, type Environment, type RecordedCall } from '../scripts/iam/requests';
import { evaluate } from '../scripts/iam/simulate';

/**
 * The pieces of `npm run iam:verify` on one recorded call: the authorisation requests AWS makes
 * for it (ARNs from AWS's service authorisation data) evaluated against a generated policy.
 */
const ACCOUNT = '111122223333';
const env: Environment = {
  partition: 'aws',
  account: ACCOUNT,
  facts: new Map([['vol-0a1b2c3d4e5f60718', { tags: {} }]]),
};
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
    incidents: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/incidents`,
    approvals: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/approvals`,
  },
  stateMachines: [],
  keys: { approvalsTable: 'k1', taskTokens: 'k2' },
  secrets: { slack: [], tickets: [] },
  ownRolePrefix: 'tourniquet-test',
  deadLetterQueue: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq`,
};
const snapshot = (region: string): RecordedCall => ({
  function: 'capture-evidence',
  service: 'EC2',
  operation: 'CreateSnapshot',
  region,
  input: {
    VolumeId: 'vol-0a1b2c3d4e5f60718',
    TagSpecifications: [
      { ResourceType: 'snapshot', Tags: [{ Key: 'tourniquet.io/incident', Value: 'tq-1' }] },
    ],
  },
  output: { SnapshotId: 'snap-0123456789abcdef0' },
});
const principal = `arn:aws:iam::${ACCOUNT}:role/tourniquet-test-capture-evidence`;

async function decisions(
  call: RecordedCall,
  statements = functionStatements('capture-evidence', scope),
) {
  const requests = await authRequests(call, env, { dynamoPartitionKey: 'pk' });
  return Promise.all(
    requests.map(
      async (r) => `${r.action} ${r.resource} ${await evaluate(principal, ACCOUNT, statements, r)}`,
    ),
  );
}

describe('iam:verify: recorded calls against generated policies', () => {
  it('CreateSnapshot authorises the volume, the new snapshot in its region without account, and its tags', async () => {
    expect(await decisions(snapshot('us-east-1'))).toEqual([
      'ec2:CreateSnapshot arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0 Allowed',
      'ec2:CreateTags arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0 Allowed',
      `ec2:CreateSnapshot arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-0a1b2c3d4e5f60718 Allowed`,
    ]);
  });

  it("is allowed in every configured cluster's region, not only the home region", async () => {
    expect((await decisions(snapshot('us-west-2'))).every((d) => d.endsWith(' Allowed'))).toBe(
      true,
    );
    expect((await decisions(snapshot('eu-north-1'))).some((d) => d.endsWith(' Allowed'))).toBe(
      false,
    );
  });

  it('catches a snapshot ARN in the wrong format (account, no region)', async () => {
    const wrong = functionStatements('capture-evidence', scope).map((s) => ({
      ...s,
      Resource: s.Resource.map((r) =>
        r.replace(/ec2:[a-z0-9-]+::snapshot/, `ec2::${ACCOUNT}:snapshot`),
      ),
    }));
    expect(await decisions(snapshot('us-east-1'), wrong)).toEqual([
      'ec2:CreateSnapshot arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0 ImplicitlyDenied',
      'ec2:CreateTags arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0 ImplicitlyDenied',
      `ec2:CreateSnapshot arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-0a1b2c3d4e5f60718 Allowed`,
    ]);
  });

  it('refuses a call whose required resource it cannot name, instead of passing it', async () => {
    await expect(
      authRequests({ ...snapshot('us-east-1'), operation: 'DeleteVolume', input: {} }, env, {
        dynamoPartitionKey: 'pk',
      }),
    ).rejects.toThrow('ec2:DeleteVolume needs a volume resource');
  });
});
