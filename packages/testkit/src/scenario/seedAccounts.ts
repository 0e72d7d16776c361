import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ACTIONS } from '@tourniquet/actions';
import { type AwsClientOverrides, awsClientConfig } from '@tourniquet/aws';
import {
  DEFAULT_MEMBER_ROLE_PREFIX,
  type MemberAccounts,
  memberRoleArn,
  memberRoleName,
  memberTrustPolicy,
} from '@tourniquet/core';
import { pinToAccount } from '../emulators/motoAccounts';
import type { Scenario } from './scenario';
import type { SeededScenario } from './seedScenario';

/** The local stage: the hub's functions are `tourniquet-local-<name>`, as a deployed stage names them. */
export const LOCAL_STAGE_PREFIX = 'tourniquet-local';

export function hubFunctionRoleArn(hubAccount: string, action: string): string {
  return memberRoleArn('aws', hubAccount, `${LOCAL_STAGE_PREFIX}-${action}`);
}

/** The scenario's members as the config's `accounts` section. */
export function memberAccountsOf(scenario: Scenario): MemberAccounts {
  return Object.fromEntries(
    scenario.accounts.map((m) => [
      m.account,
      {
        rolePrefix: m.rolePrefix ?? DEFAULT_MEMBER_ROLE_PREFIX,
        ...(m.externalId ? { externalId: m.externalId } : {}),
      },
    ]),
  );
}

/**
 * What a hub stage and its member deployments create for cross-account actions: in the hub, one
 * role per action function (trusting Lambda); in each member, one role per action trusted only
 * by the hub's role of the same action, under the external id and organisation conditions the
 * deployment writes (the trust policy comes from the same function infra/ uses).
 */
export async function seedAccountRoles(
  scenario: Scenario,
  options: AwsClientOverrides & { endpoint: string },
): Promise<void> {
  const iam = (account?: string) => {
    const client = new IAMClient({
      ...awsClientConfig({ region: 'us-east-1', endpoint: options.endpoint }),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    return account ? pinToAccount({ client }, account).client : client;
  };
  const hub = iam();
  const actions = Object.keys(ACTIONS);
  for (const action of actions) {
    await hub.send(
      new CreateRoleCommand({
        RoleName: `${LOCAL_STAGE_PREFIX}-${action}`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
  }
  const members = memberAccountsOf(scenario);
  for (const [account, member] of Object.entries(members)) {
    const client = iam(account);
    for (const action of actions) {
      await client.send(
        new CreateRoleCommand({
          RoleName: memberRoleName(member, action),
          AssumeRolePolicyDocument: JSON.stringify(
            memberTrustPolicy({
              hubRoleArn: hubFunctionRoleArn(scenario.account, action),
              externalId: member.externalId,
              organizationId: scenario.organizationId,
            }),
          ),
        }),
      );
    }
  }
}

/** One id translation over the hub's and every member's seeded resources. */
export function combineSeeded(parts: readonly SeededScenario[]): SeededScenario {
  const ids = new Map<string, string>();
  for (const part of parts) for (const [k, v] of part.ids) ids.set(k, v);
  const physical = (logical: string) => ids.get(logical) ?? logical;
  const pattern =
    ids.size > 0
      ? new RegExp(
          [...ids.keys()].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
          'g',
        )
      : null;
  const translate = <T>(value: T): T =>
    pattern
      ? JSON.parse(JSON.stringify(value).replace(pattern, (m) => physical(m)))
      : structuredClone(value);
  return { ids, clusters: parts.flatMap((p) => p.clusters), physical, translate };
}
