import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createPlanner,
  memberSessionName,
  memberTrustPolicy,
  normaliseEvent,
  parseConfig,
} from '../src';

const HUB = '111122223333';
const MEMBER = '444455556666';
const cluster = (name: string, account: string) => ({
  name,
  account,
  region: 'us-east-1',
  quarantineSecurityGroups: { 'vpc-0a1b2c3d4e5f67890': 'sg-0badc0ffee0000001' },
});

function problemOf(document: unknown): string {
  try {
    parseConfig(document);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('Config: member accounts', () => {
  it('without an accounts section, every cluster is in the one account', () => {
    const config = parseConfig({ clusters: [cluster('a', HUB), cluster('b', HUB)] });
    expect(config.accounts).toBeUndefined();
  });

  it('clusters in a second account that is not listed as a member are refused, naming the fix', () => {
    expect(problemOf({ clusters: [cluster('a', HUB), cluster('b', MEMBER)] })).toBe(
      `invalid configuration: clusters.1.account: cluster b is in account ${MEMBER}, but the hub's clusters are in ${HUB} and ${MEMBER} is not listed under accounts: add "accounts": {"${MEMBER}": {}} (with its externalId) to act there`,
    );
  });

  it('a listed member account may carry clusters; its role prefix defaults', () => {
    const config = parseConfig({
      accounts: { [MEMBER]: { externalId: 'tq-hub-7f3c' } },
      clusters: [cluster('a', HUB), cluster('b', MEMBER)],
    });
    expect(config.accounts).toEqual({
      [MEMBER]: { rolePrefix: 'tourniquet-member', externalId: 'tq-hub-7f3c' },
    });
  });

  it("a member's cluster cannot be reached from a VPC of the hub's", () => {
    expect(
      problemOf({
        accounts: { [MEMBER]: {} },
        clusters: [
          {
            ...cluster('b', MEMBER),
            access: {
              mode: 'vpc',
              subnetIds: ['subnet-0123456789abcdef0'],
              securityGroupId: 'sg-0123456789abcdef0',
            },
          },
        ],
      }),
    ).toContain('clusters.0.access.mode: cluster b is in member account');
  });

  it.each([
    [{ accounts: { '4444': {} } }, 'accounts.4444: expected a 12-digit AWS account id as the key'],
    [
      { accounts: { [MEMBER]: { roleName: 'x' } } },
      `accounts.${MEMBER}: Unrecognized key: "roleName"`,
    ],
    [
      { accounts: { [MEMBER]: { externalId: 'has space' } } },
      `accounts.${MEMBER}.externalId: expected 2–1224 characters`,
    ],
    [
      { accounts: { [MEMBER]: { rolePrefix: 'a'.repeat(33) } } },
      `accounts.${MEMBER}.rolePrefix: expected 1–32 characters`,
    ],
    [{ accounts: [] }, 'accounts: '],
  ])('rejects %j with a message naming the field', (document, message) => {
    expect(problemOf(document)).toContain(message);
  });

  it('a hub plans containment for a member cluster, and ticket-only for the same name in an unlisted account', () => {
    const planner = createPlanner(
      parseConfig({
        accounts: { [MEMBER]: {} },
        clusters: [cluster('prod-eks-01', HUB), cluster('member-eks-01', MEMBER)],
      }),
    );
    const event = (account: string) =>
      normaliseEvent({
        version: '0',
        id: `e-${account}`,
        'detail-type': 'GuardDuty Finding',
        source: 'aws.guardduty',
        account,
        time: '2026-11-23T12:05:00Z',
        region: 'us-east-1',
        resources: [],
        detail: {
          schemaVersion: '2.0',
          accountId: account,
          region: 'us-east-1',
          partition: 'aws',
          id: `f-${account}`,
          arn: `arn:aws:guardduty:us-east-1:${account}:detector/d/finding/f`,
          type: 'Execution:Runtime/ReverseShell',
          severity: 8,
          createdAt: '2026-11-23T12:00:00Z',
          updatedAt: '2026-11-23T12:05:00Z',
          title: 't',
          description: 'd',
          resource: {
            resourceType: 'EKSCluster',
            eksClusterDetails: { name: 'member-eks-01' },
            kubernetesDetails: {
              kubernetesWorkloadDetails: {
                name: 'web',
                type: 'pods',
                namespace: 'shop',
                uid: '5f0c2a8e-3b7d-4c1a-9e2f-6d8b1a0c4e7f',
              },
            },
          },
          service: { serviceName: 'guardduty', count: 1 },
        },
      });
    expect(planner.plan(event(MEMBER)).playbook).toBe('contain-pod');
    expect(planner.plan(event('999988887777')).playbook).toBe('ticket-only');
  });

  it('member sessions name the incident; the trust policy names the hub function and its conditions', () => {
    expect(memberSessionName('k', 'isolate-pod')).toMatch(
      /^tourniquet-tq-[0-9a-f]{16}-isolate-pod$/,
    );
    expect(
      memberTrustPolicy({
        hubRoleArn: `arn:aws:iam::${HUB}:role/tourniquet-prod-isolate-pod`,
        externalId: 'x1',
        organizationId: 'o-abc123defg',
      }).Statement[0],
    ).toEqual({
      Sid: 'HubFunctionOnly',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${HUB}:role/tourniquet-prod-isolate-pod` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'x1', 'aws:PrincipalOrgID': 'o-abc123defg' } },
    });
  });
});
