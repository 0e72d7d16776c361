import { createHash } from 'node:crypto';
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { defineAction } from '../defineAction';
import { PermanentActionError } from '../errors';
import type { PolicyDocument, PolicyStatement } from '../policyDocument';
import { notApplicable, resolveRole } from '../resolve';
import { webIdentityTarget } from '../targets';

interface State {
  role: string;
  /** IAM's ARN for the role: what on-call approves. */
  arn: string;
  original: string;
  document: PolicyDocument;
  providerArn: string;
  subject: string;
}

const OIDC_PROVIDER = /:oidc-provider\/(oidc\.eks\..+)$/;

/** Statement id unique to the blocked subject, so the change is idempotent and removable. */
function sidFor(subject: string): string {
  return `TourniquetBlock${createHash('sha256').update(subject).digest('hex').slice(0, 16)}`;
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
        original: JSON.stringify(document),
        document,
        providerArn: irsa.providerArn,
        subject,
      } satisfies State,
    };
  },
  plan: (state) =>
    state.document.Statement.some((s) => s.Sid === sidFor(state.subject))
      ? []
      : [`deny ${state.subject} in the trust policy of ${state.role}`],
  resolved: (state) => `${state.arn}#${state.subject}`,
  satisfied: (state) => `${state.subject} is already blocked on ${state.role}`,
  async execute(ctx, _params, state) {
    const issuer = OIDC_PROVIDER.exec(state.providerArn)?.[1] as string;
    const deny: PolicyStatement = {
      Sid: sidFor(state.subject),
      Effect: 'Deny',
      Principal: { Federated: state.providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${issuer}:sub`]: state.subject } },
    };
    const updated = { ...state.document, Statement: [...state.document.Statement, deny] };
    await ctx.aws.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: state.role,
        PolicyDocument: JSON.stringify(updated),
      }),
    );
    return {
      undo: { role: state.role, original: state.original },
      detail: `blocked ${state.subject} from assuming ${state.role}`,
    };
  },
  async restore(ctx, _params, saved: { role: string; original: string }) {
    await ctx.aws.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: saved.role, PolicyDocument: saved.original }),
    );
    return [`restored the original trust policy of ${saved.role}`];
  },
});
