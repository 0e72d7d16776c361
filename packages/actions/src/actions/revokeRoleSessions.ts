import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { incidentLabel } from '@tourniquet/core';
import { defineAction } from '../defineAction';
import { decodePolicyDocument, type PolicyDocument, sameStatement } from '../policyDocument';
import { notApplicable, resolveRole } from '../resolve';
import { roleReach } from '../roleReach';
import { roleTarget } from '../targets';
import type { ActionContext } from '../types';

/**
 * One inline policy per incident, so releasing one incident never lifts another's revocation
 * and undo deletes only what this incident wrote. (The IAM console's "Revoke active sessions"
 * writes `AWSRevokeOlderSessions`; Tourniquet leaves that one to the people who wrote it.)
 */
export const REVOKE_POLICY_PREFIX = 'TourniquetRevokeSessions-';

export function revokePolicyName(incidentKey: string): string {
  return `${REVOKE_POLICY_PREFIX}${incidentLabel(incidentKey)}`;
}

interface State {
  role: string;
  /** IAM's ARN for the role: what on-call approves. */
  arn: string;
  /** This incident's revocation cut-off, when its policy is in place. */
  cutoff: string | null;
}

function revocationDocument(cutoff: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
      },
    ],
  };
}

/** The cut-off of a document in exactly the shape Tourniquet writes; null for anything else. */
function cutoffOf(document: PolicyDocument | null): string | null {
  const cutoff = document?.Statement[0]?.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  if (typeof cutoff !== 'string' || !document) return null;
  const [expected] = revocationDocument(cutoff).Statement;
  const [only, ...more] = document.Statement;
  return only && expected && more.length === 0 && sameStatement(only, expected) ? cutoff : null;
}

async function readRevocation(ctx: ActionContext, role: string): Promise<PolicyDocument | null> {
  try {
    const { PolicyDocument } = await ctx.aws.iam.send(
      new GetRolePolicyCommand({ RoleName: role, PolicyName: revokePolicyName(ctx.incidentKey) }),
    );
    return decodePolicyDocument(PolicyDocument);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchEntityException') return null;
    throw error;
  }
}

/**
 * A revocation already in place is enough when its cut-off is at or after the last time the
 * misuse was seen (or, without a finding, when there is one at all): every session the
 * attacker could hold is then already denied.
 */
function alreadyRevoked(ctx: ActionContext, cutoff: string | null): boolean {
  if (!cutoff) return false;
  return !ctx.finding || Date.parse(cutoff) >= Date.parse(ctx.finding.lastSeen);
}

export const revokeRoleSessions = defineAction({
  name: 'revoke-role-sessions',
  description:
    "Deny every action to the role's sessions issued before now (an inline policy per incident on aws:TokenIssueTime, like the console's revoke-sessions). A stolen IRSA token can mint new sessions: pair with block-web-identity. Undo deletes exactly that policy.",
  params: roleTarget,
  permissions: {
    iam: [
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:PutRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:ListRoleTags',
      'iam:GetInstanceProfile',
      'iam:ListInstanceProfilesForRole',
      'ec2:DescribeIamInstanceProfileAssociations',
    ],
    kubernetes: ['get serviceaccounts', 'list nodes', 'list pods'],
  },
  example: { kind: 'role', arn: 'arn:aws:iam::111122223333:role/payments-api-irsa' },
  async check(ctx, params) {
    const role = await resolveRole(ctx, params);
    if ('skip' in role) return notApplicable(role);
    const { name, arn } = role.value;
    const cutoff = cutoffOf(await readRevocation(ctx, name));
    return { ok: true, state: { role: name, arn, cutoff } satisfies State };
  },
  plan(state, ctx) {
    if (alreadyRevoked(ctx, state.cutoff)) return [];
    return [`deny sessions of role ${state.role} issued before now`];
  },
  resolved: (state) => state.arn,
  impact: (ctx, state) => roleReach(ctx, state.role),
  satisfied: (state) =>
    `sessions of role ${state.role} issued before ${state.cutoff} are already revoked`,
  before: (state) => ({ role: state.role }),
  async execute(ctx, _params, state) {
    const cutoff = ctx.now().toISOString();
    await ctx.aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: state.role,
        PolicyName: revokePolicyName(ctx.incidentKey),
        PolicyDocument: JSON.stringify(revocationDocument(cutoff)),
      }),
    );
    return {
      detail: `revoked sessions of role ${state.role} issued before ${cutoff}`,
      data: { role: state.role, cutoff },
    };
  },
  /** Deletes this incident's policy, and only when it still has exactly the shape Tourniquet wrote. */
  async restore(ctx, _subject, before: { role: string }) {
    const document = await readRevocation(ctx, before.role);
    if (!document) return [];
    const name = revokePolicyName(ctx.incidentKey);
    if (!cutoffOf(document)) return [`left ${name} on ${before.role}: it was changed since`];
    await ctx.aws.iam.send(
      new DeleteRolePolicyCommand({ RoleName: before.role, PolicyName: name }),
    );
    return [`removed ${name} from ${before.role}`];
  },
});
