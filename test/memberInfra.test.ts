import { ACTIONS } from '@tourniquet/actions';
import { ROUTING_RULES } from '@tourniquet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';
import { infraViolations, type RecordedResource } from './helpers/infraChecks';
import { installPulumiMocks } from './helpers/pulumiMocks';

/**
 * The member program and the hub's side of it, evaluated offline with Pulumi's runtime mocks
 * (as test/infra.test.ts does for the hub): the sample config's member account 222233334444
 * deployed against hub stage `prod` in 111122223333.
 */
const HUB = '111122223333';
const MEMBER = '222233334444';
const REGION = 'us-east-1';
const ORG = 'o-tq1local00';

let resources: RecordedResource[] = [];
let account = MEMBER;
let memberModule: any;
let settingsModule: any;
let memberSettingsModule: any;
let permissions: any;
let memberSettings: any;

const of = (type: string, from = resources) => from.filter((r) => r.type === type);

beforeAll(async () => {
  const mocks = installPulumiMocks({ account: () => account, region: REGION, stage: 'prod' });
  resources = mocks.resources;
  const load = mocks.load;
  settingsModule = await load('infra/settings.ts');
  memberSettingsModule = await load('infra/memberSettings.ts');
  memberModule = await load('infra/member.ts');
  permissions = await load('infra/permissions.ts');

  // The member stage: the hub's configuration, deployed to the member account.
  const base = settingsModule.stageSettings('test', REPO_ROOT, 'tourniquet.config.json');
  const memberBase = {
    ...base,
    account: MEMBER,
    config: {
      ...base.runtimeConfig,
      clusters: base.runtimeConfig.clusters.filter((c: any) => c.account === MEMBER),
    },
    forwardFrom: ['us-west-2'],
  };
  memberSettings = memberSettingsModule.parseMemberDeploy(
    {
      role: 'member',
      account: MEMBER,
      hub: { account: HUB, stage: 'prod', region: REGION },
      organizationId: ORG,
    },
    memberBase,
  );
  account = MEMBER;
  memberModule.member(memberSettings);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));

  // The hub stage `prod` in its own account, from the same configuration.
  account = HUB;
  const { tourniquet } = await load('infra/index.ts');
  await tourniquet({ ...base, forwardFrom: [] });
  for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
}, 120_000);

const inMember = () => resources.filter((r: any) => r.account === MEMBER);
const inHub = () => resources.filter((r: any) => r.account === HUB);

describe('Member deployment (SST program evaluated offline)', () => {
  it('one role per action, trusted only by the hub function of the same action, with the external id and organisation', () => {
    const roles = of('aws:iam/role:Role', inMember()).filter((r) => r.name.startsWith('Member-'));
    expect(roles.map((r) => r.inputs.name).sort()).toEqual(
      Object.keys(ACTIONS)
        .map((a) => `tourniquet-member-${a}`)
        .sort(),
    );
    const hubRoles = new Set(of('aws:iam/role:Role', inHub()).map((r) => r.inputs.name));
    for (const role of roles) {
      const action = role.inputs.name.replace('tourniquet-member-', '');
      const trust = JSON.parse(role.inputs.assumeRolePolicy);
      const hubRole = memberModule.functionRoleName('prod', action);
      // The name the trust policy names is one the hub stage really creates.
      expect(hubRoles.has(hubRole), hubRole).toBe(true);
      expect(trust.Statement).toEqual([
        {
          Sid: 'HubFunctionOnly',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${HUB}:role/${hubRole}` },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'sts:ExternalId': 'tourniquet-local-hub', 'aws:PrincipalOrgID': ORG },
          },
        },
      ]);
    }
  });

  it("each member role holds exactly the hub generator's statements for its action, scoped to the member account", () => {
    for (const action of Object.keys(ACTIONS)) {
      const policy = of('aws:iam/rolePolicy:RolePolicy', inMember()).find(
        (p) => p.name === `Member-${action}-policy`,
      );
      const document = JSON.parse(policy?.inputs.policy);
      expect(document.Statement).toEqual(
        permissions.actionStatements(action, memberModule.memberScope(memberSettings, 'aws')),
      );
      const text = JSON.stringify(document);
      expect(text).not.toContain(HUB);
      expect(text).not.toContain('vpc-0a1b2c3d4e5f67890');
    }
    expect(infraViolations(inMember())).toEqual([]);
  });

  it("gives the member roles access entries on the member's clusters only", () => {
    const entries = of('aws:eks/accessEntry:AccessEntry', inMember());
    const kube = Object.keys(ACTIONS).filter((a) => permissions.kubernetesRules(a).length > 0);
    expect(entries.map((e) => e.name).sort()).toEqual(kube.map((a) => `shop-eks-03-${a}`).sort());
    for (const entry of entries) {
      expect(entry.inputs.clusterName).toBe('shop-eks-03');
      expect(entry.inputs.principalArn).toMatch(
        new RegExp(`^arn:aws:iam::${MEMBER}:role/tourniquet-member-`),
      );
    }
  });

  it("forwards Config and CloudTrail events (not GuardDuty's, which come through the delegated administrator) from every region to the hub bus", () => {
    const rules = of('aws:cloudwatch/eventRule:EventRule', inMember());
    const forwarded = ROUTING_RULES.filter((r) => !JSON.stringify(r.pattern).includes('guardduty'));
    expect(rules).toHaveLength(forwarded.length * 2);
    expect(rules.map((r) => JSON.parse(r.inputs.eventPattern))).toEqual(
      [...forwarded, ...forwarded].map((r) => r.pattern),
    );
    const targets = of('aws:cloudwatch/eventTarget:EventTarget', inMember());
    for (const target of targets)
      expect(target.inputs.arn).toBe(`arn:aws:events:${REGION}:${HUB}:event-bus/default`);
    const forwardPolicy = of('aws:iam/rolePolicy:RolePolicy', inMember()).find(
      (p) => p.name === 'ForwardToHubPolicy',
    );
    expect(JSON.parse(forwardPolicy?.inputs.policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['events:PutEvents'],
        Resource: [`arn:aws:events:${REGION}:${HUB}:event-bus/default`],
      },
    ]);
  });

  it('the hub: each action function may assume only its own member role; members may put events on its bus; functions run with every account', () => {
    const assume = of('aws:iam/rolePolicy:RolePolicy', inHub()).filter((p) =>
      p.name.endsWith('AssumeMemberRoles'),
    );
    expect(assume.map((p) => p.name).sort()).toEqual(
      Object.keys(ACTIONS)
        .map((a) => `${a}AssumeMemberRoles`)
        .sort(),
    );
    for (const policy of assume) {
      const action = policy.name.replace('AssumeMemberRoles', '');
      expect(policy.inputs.name).toBe('tourniquet-assume-member-roles');
      expect(JSON.parse(policy.inputs.policy).Statement).toEqual([
        {
          Sid: 'AssumeMemberRoles',
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Resource: [`arn:aws:iam::${MEMBER}:role/tourniquet-member-${action}`],
        },
      ]);
    }
    const bus = of('aws:cloudwatch/eventBusPolicy:EventBusPolicy', inHub());
    expect(bus).toHaveLength(1);
    expect(JSON.parse(bus[0]?.inputs.policy).Statement[0]).toMatchObject({
      Principal: { AWS: [`arn:aws:iam::${MEMBER}:root`] },
      Action: 'events:PutEvents',
    });
    const triage = of('aws:lambda/function:Function', inHub()).find(
      (f) => f.inputs.name === 'tourniquet-prod-triage',
    );
    const config = JSON.parse(triage?.inputs.environment.variables.TOURNIQUET_CONFIG);
    expect(config.clusters.map((c: any) => c.name)).toContain('shop-eks-03');
    expect(Object.keys(config.accounts)).toEqual([MEMBER]);
    // The hub's own roles and access entries stay on its own clusters.
    expect(
      of('aws:eks/accessEntry:AccessEntry', inHub()).some(
        (e) => e.inputs.clusterName === 'shop-eks-03',
      ),
    ).toBe(false);
  });

  it.each([
    [{ organizationId: undefined }, { externalId: undefined }, 'set it (or deploy.organizationId)'],
    [{ alarmEmail: 'x@example.com' }, {}, 'deploy.alarmEmail: not used by a member stage'],
    [{ hub: { account: MEMBER, stage: 'prod' } }, {}, 'the hub is this account'],
    [{ hub: { account: HUB, stage: 'prod', bus: 'x' } }, {}, 'deploy.hub.bus: unknown key'],
    [{ account: '999988887777' }, {}, 'accounts.999988887777: the member account must be listed'],
  ])(
    'refuses a member deploy block %j (member entry %j) naming the problem',
    (change, entry, message) => {
      const deploy = {
        role: 'member',
        account: MEMBER,
        hub: { account: HUB, stage: 'prod' },
        organizationId: ORG,
        ...change,
      };
      const base = {
        ...memberSettings,
        homeRegion: REGION,
        forwardFrom: [],
        config: {
          clusters: [],
          accounts: { [MEMBER]: { rolePrefix: 'tourniquet-member', externalId: 'e1', ...entry } },
        },
      };
      expect(() => memberSettingsModule.parseMemberDeploy(deploy, base)).toThrow(message);
    },
  );

  it('deploy.role must be hub or member', () => {
    expect(() => settingsModule.deployRole('spoke')).toThrow(
      'deploy.role: expected "hub" or "member" (got "spoke")',
    );
  });
});
