import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { defineAction } from '../defineAction';
import { decodePolicyDocument } from '../policyDocument';
import { notApplicable, resolveRole } from '../resolve';
import { roleTarget } from '../targets';
import type { ActionContext } from '../types';

/** The inline policy name the IAM console's "Revoke active sessions" uses. */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

interface State {
  role: string;
  /** IAM's ARN for the role: what on-call approves. */
  arn: string;
  /** Raw existing document (for undo) and its cut-off time, if a revocation is in place. */
  existing: string | null;
  cutoff: string | null;
}

function revocationDocument(cutoff: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
      },
    ],
  });
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
    "Deny every action to the role's sessions issued before now (inline policy AWSRevokeOlderSessions on aws:TokenIssueTime). A stolen IRSA token can mint new sessions: pair with block-web-identity.",
  params: roleTarget,
  permissions: {
    iam: [
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:PutRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:ListRoleTags',
      'iam:GetInstanceProfile',
    ],
    kubernetes: ['get serviceaccounts'],
  },
  example: { kind: 'role', arn: 'arn:aws:iam::111122223333:role/payments-api-irsa' },
  async check(ctx, params) {
    const role = await resolveRole(ctx, params);
    if ('skip' in role) return notApplicable(role);
    const { name, arn } = role.value;
    let existing: string | null = null;
    try {
      const { PolicyDocument } = await ctx.aws.iam.send(
        new GetRolePolicyCommand({ RoleName: name, PolicyName: REVOKE_POLICY_NAME }),
      );
      existing = PolicyDocument ?? null;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchEntityException') throw error;
    }
    const condition = decodePolicyDocument(existing ?? undefined)?.Statement[0]?.Condition
      ?.DateLessThan;
    const cutoff =
      typeof condition?.['aws:TokenIssueTime'] === 'string'
        ? condition['aws:TokenIssueTime']
        : null;
    return {
      ok: true,
      state: { role: name, arn, existing, cutoff } satisfies State,
    };
  },
  plan(state, ctx) {
    if (alreadyRevoked(ctx, state.cutoff)) return [];
    return [`deny sessions of role ${state.role} issued before now`];
  },
  resolved: (state) => state.arn,
  satisfied: (state) =>
    `sessions of role ${state.role} issued before ${state.cutoff} are already revoked`,
  async execute(ctx, _params, state) {
    const cutoff = ctx.now().toISOString();
    await ctx.aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: state.role,
        PolicyName: REVOKE_POLICY_NAME,
        PolicyDocument: revocationDocument(cutoff),
      }),
    );
    return {
      undo: state,
      detail: `revoked sessions of role ${state.role} issued before ${cutoff}`,
      data: { role: state.role, cutoff },
    };
  },
  async restore(ctx, _params, saved: State) {
    if (saved.existing) {
      const document = JSON.stringify(decodePolicyDocument(saved.existing));
      await ctx.aws.iam.send(
        new PutRolePolicyCommand({
          RoleName: saved.role,
          PolicyName: REVOKE_POLICY_NAME,
          PolicyDocument: document,
        }),
      );
      return [`restored the previous ${REVOKE_POLICY_NAME} policy of ${saved.role}`];
    }
    await ctx.aws.iam.send(
      new DeleteRolePolicyCommand({ RoleName: saved.role, PolicyName: REVOKE_POLICY_NAME }),
    );
    return [`removed ${REVOKE_POLICY_NAME} from ${saved.role}`];
  },
});
