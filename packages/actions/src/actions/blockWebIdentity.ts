import { createHash } from 'node:crypto';
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { defineAction } from '../defineAction';
import { PermanentActionError } from '../errors';
import {
  decodePolicyDocument,
  type PolicyDocument,
  type PolicyStatement,
  sameStatement,
} from '../policyDocument';
import { notApplicable, resolveRole } from '../resolve';
import { webIdentityTarget } from '../targets';
import type { ActionContext } from '../types';

interface State {
  role: string;
  /** IAM's ARN for the role: what on-call approves. */
  arn: string;
  document: PolicyDocument;
  providerArn: string;
  subject: string;
}

const OIDC_PROVIDER = /:oidc-provider\/(oidc\.eks\..+)$/;

/**
 * Statement id unique to the incident and the blocked subject, so the change is idempotent and
 * release removes exactly this incident's statement (another incident's block stays).
 */
function sidFor(incidentKey: string, subject: string): string {
  const hash = createHash('sha256').update(`${incidentKey}\n${subject}`).digest('hex');
  return `TourniquetBlock${hash.slice(0, 16)}`;
}

function denyStatement(sid: string, providerArn: string, subject: string): PolicyStatement {
  const issuer = OIDC_PROVIDER.exec(providerArn)?.[1] as string;
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${issuer}:sub`]: subject } },
  };
}

async function readTrustPolicy(ctx: ActionContext, role: string): Promise<PolicyDocument> {
  const { Role } = await ctx.aws.iam.send(new GetRoleCommand({ RoleName: role }));
  const document = decodePolicyDocument(Role?.AssumeRolePolicyDocument);
  if (!document) throw new PermanentActionError(`role ${role} has no trust policy`);
  return document;
}

export const blockWebIdentity = defineAction({
  name: 'block-web-identity',
  description:
    "Add a Deny of sts:AssumeRoleWithWebIdentity for the compromised system:serviceaccount:<ns>:<sa> subject to the role's trust policy, so a stolen token cannot mint new sessions. Undo restores the original trust policy.",
  params: webIdentityTarget,
  permissions: {
    iam: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy', 'iam:ListRoleTags'],
    kubernetes: ['get serviceaccounts'],
  },
  example: {
    kind: 'web-identity',
    roleArn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
    namespace: 'payments',
    serviceAccount: 'payments-api',
  },
  async check(ctx, params) {
    // The role is the plan's or the one the service account's annotation names; either way it
    // must be this account's, exactly as IAM names it, and trust this cluster for the subject.
    const role = await resolveRole(ctx, params);
    if ('skip' in role) return notApplicable(role);
    const { name, trustPolicy: document, irsa } = role.value;
    if (!document || !irsa) {
      throw new PermanentActionError(`role ${name} has no trust policy`);
    }
    const subject = `system:serviceaccount:${params.namespace}:${params.serviceAccount}`;
    return {
      ok: true,
      state: {
        role: name,
        arn: role.value.arn,
        document,
        providerArn: irsa.providerArn,
        subject,
      } satisfies State,
    };
  },
  plan: (state, ctx) =>
    state.document.Statement.some((s) => s.Sid === sidFor(ctx.incidentKey, state.subject))
      ? []
      : [`deny ${state.subject} in the trust policy of ${state.role}`],
  resolved: (state) => `${state.arn}#${state.subject}`,
  satisfied: (state) => `${state.subject} is already blocked on ${state.role}`,
  before: (state) => ({ role: state.role, providerArn: state.providerArn, subject: state.subject }),
  async execute(ctx, _params, state) {
    const deny = denyStatement(
      sidFor(ctx.incidentKey, state.subject),
      state.providerArn,
      state.subject,
    );
    const updated = { ...state.document, Statement: [...state.document.Statement, deny] };
    await ctx.aws.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: state.role,
        PolicyDocument: JSON.stringify(updated),
      }),
    );
    return { detail: `blocked ${state.subject} from assuming ${state.role}` };
  },
  /**
   * Removes this incident's Deny from the trust policy as it is now, only when it still has
   * exactly the shape Tourniquet wrote; every other statement (edits made since included) stays.
   * No trust policy is ever written back from a record.
   */
  async restore(ctx, _subject, before: { role: string; providerArn: string; subject: string }) {
    const document = await readTrustPolicy(ctx, before.role);
    const ours = denyStatement(
      sidFor(ctx.incidentKey, before.subject),
      before.providerArn,
      before.subject,
    );
    const kept = document.Statement.filter((s) => !sameStatement(s, ours));
    if (kept.length === document.Statement.length) return [];
    await ctx.aws.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: before.role,
        PolicyDocument: JSON.stringify({ ...document, Statement: kept }),
      }),
    );
    return [`removed the block of ${before.subject} from the trust policy of ${before.role}`];
  },
});
