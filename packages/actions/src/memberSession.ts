import type { MemberSession } from '@tourniquet/aws';
import {
  memberRoleArn,
  memberRoleName,
  memberSessionName,
  partitionOfRegion,
  type TourniquetConfig,
} from '@tourniquet/core';
import { PermanentActionError } from './errors';

/**
 * Where an action request acts: in a configured member account through that member's role for
 * this action (null: the hub's own account, with the function's own role). An account that is
 * neither a member nor the account of a configured cluster is refused before any AWS call, so a
 * finding or journal entry naming some other account cannot make the hub act anywhere else.
 */
export function memberSessionFor(
  config: TourniquetConfig,
  action: string,
  incidentKey: string,
  account: string | undefined,
  region: string,
): MemberSession | null {
  if (!account) return null;
  const member = config.accounts?.[account];
  if (member) {
    return {
      account,
      action,
      roleArn: memberRoleArn(partitionOfRegion(region), account, memberRoleName(member, action)),
      ...(member.externalId ? { externalId: member.externalId } : {}),
      sessionName: memberSessionName(incidentKey, action),
    };
  }
  // One account (no `accounts` section) keeps the old behaviour: the planner already matched
  // the finding to the configuration.
  if (!config.accounts || Object.keys(config.accounts).length === 0) return null;
  if (config.clusters.some((c) => c.account === account)) return null;
  throw new PermanentActionError(
    `${action}: account ${account} is neither the hub's nor a configured member account: not acted on`,
  );
}
