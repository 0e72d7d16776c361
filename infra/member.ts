import { ACTIONS, type RegisteredActionName } from '@tourniquet/actions';
import {
  type ClusterConfig,
  type MemberAccount,
  memberRoleName,
  memberTrustPolicy,
  ROUTING_RULES,
  stageResourceNames,
} from '@tourniquet/core';
import { eksAccess } from './eksAccess';
import { actionStatements, type FunctionName, type ScopeContext } from './permissions';
import type { ProviderFor } from './regionProviders';
import { regionProviders } from './regionProviders';
import { serviceRole } from './serviceRole';
import { untrackGroups } from './untrackGroups';

/** What a member deployment needs to know about its account and its hub. */
export interface MemberSettings {
  account: string;
  homeRegion: string;
  /** The member's entry in the hub's `accounts` section. */
  member: MemberAccount;
  /** This account's clusters. */
  clusters: ClusterConfig[];
  hub: { account: string; stage: string; region: string };
  /** aws:PrincipalOrgID the hub's roles must be in (`deploy.organizationId`). */
  organizationId?: string;
  /** Regions (besides the home region) whose Config and CloudTrail events are forwarded. */
  forwardFrom: string[];
}

/**
 * One member account: a role per action, trusted only by the hub function of the same action
 * (with the external id and/or organisation condition) and scoped exactly like that function's
 * own role; EKS access entries for the member's clusters; the untrack groups isolate-pod uses;
 * and EventBridge rules that forward Config and CloudTrail events to the hub's bus.
 */
export function member(settings: MemberSettings) {
  const partition = aws.getPartitionOutput();
  const roles = {} as Record<RegisteredActionName, aws.iam.Role>;
  for (const name of Object.keys(ACTIONS) as RegisteredActionName[]) {
    const roleName = memberRoleName(settings.member, name);
    const role = new aws.iam.Role(`Member-${name}`, {
      name: roleName,
      assumeRolePolicy: partition.partition.apply((p) =>
        JSON.stringify(
          memberTrustPolicy({
            hubRoleArn: `arn:${p}:iam::${settings.hub.account}:role/${functionRoleName(settings.hub.stage, name)}`,
            externalId: settings.member.externalId,
            organizationId: settings.organizationId,
          }),
        ),
      ),
    });
    new aws.iam.RolePolicy(`Member-${name}-policy`, {
      role: role.id,
      policy: partition.partition.apply((p) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: actionStatements(name, memberScope(settings, p)),
        }),
      ),
    });
    roles[name] = role;
  }
  const providerFor = regionProviders(settings.homeRegion);
  eksAccess(settings.clusters, roles as Partial<Record<FunctionName, aws.iam.Role>>, providerFor);
  untrackGroups(settings.clusters, providerFor);
  const rules = forwardToHub(settings, partition.partition, providerFor);
  return {
    memberRoles: Object.fromEntries(Object.entries(roles).map(([n, r]) => [n, r.arn])),
    forwardingRules: rules.map((r) => r.name),
  };
}

/**
 * The role name a hub stage gives a function (functions.ts → lambdaRole → serviceRole):
 * `tourniquet-<stage>-<PascalCaseName>`. The member trust policy names it exactly.
 */
export function functionRoleName(stage: string, name: FunctionName): string {
  return stageResourceNames.functionRole(stage, name);
}

/** The scope the hub's generator gives an action, for this account and its clusters. */
export function memberScope(settings: MemberSettings, partition: string): ScopeContext {
  return {
    partition,
    account: settings.account,
    region: settings.homeRegion,
    clusters: settings.clusters,
    // Actions touch no table, queue, key or secret: the journal stays in the hub.
    tables: { incidents: '', approvals: '' },
    stateMachines: [],
    keys: { approvalsTable: '', taskTokens: '' },
    secrets: { slack: [], tickets: [] },
    // No action may rewrite the member roles themselves.
    ownRolePrefix: settings.member.rolePrefix,
    deadLetterQueue: '',
  };
}

function forwardToHub(
  settings: MemberSettings,
  partition: $util.Output<string>,
  providerFor: ProviderFor,
) {
  const hubBus = partition.apply(
    (p) => `arn:${p}:events:${settings.hub.region}:${settings.hub.account}:event-bus/default`,
  );
  const role = serviceRole('ForwardToHubRole', 'forward-to-hub', 'events.amazonaws.com');
  new aws.iam.RolePolicy('ForwardToHubPolicy', {
    role: role.id,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [hubBus] }],
    }),
  });
  // GuardDuty findings reach the hub through its delegated administrator; the rest is forwarded.
  const forwarded = ROUTING_RULES.filter((rule) => !isGuardDuty(rule.pattern));
  return [settings.homeRegion, ...settings.forwardFrom].flatMap((region) => {
    const provider = providerFor(region);
    return forwarded.map((rule) => {
      const forward = new aws.cloudwatch.EventRule(
        `ToHub-${region}-${rule.name}`,
        {
          name: `tourniquet-member-forward-${rule.name}`,
          eventPattern: JSON.stringify(rule.pattern),
          state: rule.state,
        },
        { provider },
      );
      new aws.cloudwatch.EventTarget(
        `ToHub-${region}-${rule.name}-target`,
        { rule: forward.name, arn: hubBus, roleArn: role.arn },
        { provider },
      );
      return forward;
    });
  });
}

function isGuardDuty(pattern: { source?: unknown }): boolean {
  return Array.isArray(pattern.source) && pattern.source.includes('aws.guardduty');
}
