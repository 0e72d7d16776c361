import { incidentLabel } from '../labels';
import * as z from '../zod';

/**
 * The `accounts` section: the member accounts a hub stage acts in, keyed by account id. A
 * cluster whose account is listed here is a member's; every other cluster is in the hub's own
 * account. Without the section everything is in one account (the simple default).
 */
export const DEFAULT_MEMBER_ROLE_PREFIX = 'tourniquet-member';

/** IAM role names are at most 64 characters; the longest action name leaves this much room. */
const ROLE_PREFIX = /^[A-Za-z0-9+=,.@_-]{1,32}$/;
/** What STS accepts as ExternalId (2–1224 characters of `[\w+=,.@:/-]`). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export const memberAccountSchema = z.strictObject({
  /** The member roles are `<rolePrefix>-<action>`, one per action. */
  rolePrefix: z._default(
    z
      .string()
      .check(z.regex(ROLE_PREFIX, 'expected 1–32 characters of letters, digits and +=,.@_-')),
    DEFAULT_MEMBER_ROLE_PREFIX,
  ),
  /**
   * Sent with every AssumeRole into the member; the member roles' trust policies require it.
   * Not a secret, but it keeps another deployment that learnt the role names from using them.
   */
  externalId: z.optional(
    z
      .string()
      .check(z.regex(EXTERNAL_ID, 'expected 2–1224 characters of letters, digits and +=,.@:/-_')),
  ),
});

export const accountsSchema = z.record(z.string(), memberAccountSchema).check(
  z.superRefine((accounts, ctx) => {
    for (const key of Object.keys(accounts)) {
      if (!/^\d{12}$/.test(key))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'expected a 12-digit AWS account id as the key',
        });
    }
  }),
);

export type MemberAccount = z.infer<typeof memberAccountSchema>;
export type MemberAccounts = z.infer<typeof accountsSchema>;

/** The member role an action assumes in its incident's account. */
export function memberRoleName(member: MemberAccount, action: string): string {
  return `${member.rolePrefix}-${action}`;
}

export function memberRoleArn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/** `aws`, `aws-cn` or `aws-us-gov`, from a region name. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * STS session names are at most 64 characters of `[\w+=,.@-]`: the incident id and the action
 * make the member account's CloudTrail say which incident did what.
 */
export function memberSessionName(incidentKey: string, action: string): string {
  return `tourniquet-${incidentLabel(incidentKey)}-${action}`
    .replace(/[^\w+=,.@-]/g, '-')
    .slice(0, 64);
}

/**
 * The trust policy of a member role: only the hub function that runs the same action may assume
 * it, and only with the external id and/or from inside the organisation. At least one condition
 * is required (checked where the member deployment is configured).
 */
export function memberTrustPolicy(options: {
  hubRoleArn: string;
  externalId?: string;
  organizationId?: string;
}) {
  const condition: Record<string, Record<string, string>> = {};
  if (options.externalId)
    condition.StringEquals = { ...condition.StringEquals, 'sts:ExternalId': options.externalId };
  if (options.organizationId)
    condition.StringEquals = {
      ...condition.StringEquals,
      'aws:PrincipalOrgID': options.organizationId,
    };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'HubFunctionOnly',
        Effect: 'Allow',
        Principal: { AWS: options.hubRoleArn },
        Action: 'sts:AssumeRole',
        Condition: condition,
      },
    ],
  };
}
