import { createHash } from 'node:crypto';
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { roleName } from '@tourniquet/core';
import { defineAction } from '../defineAction';
import { PermanentActionError } from '../errors';
import { decodePolicyDocument, type PolicyDocument, type PolicyStatement } from '../policyDocument';
import { resolveRoleName } from '../resolve';
import { webIdentityTarget } from '../targets';

interface State {
  role: string;
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

/** The EKS OIDC provider the role trusts (the Federated principal of its trust policy). */
function trustedProvider(document: PolicyDocument): string | null {
  for (const statement of document.Statement) {
    const federated = (statement.Principal as { Federated?: string | string[] } | undefined)
      ?.Federated;
    for (const arn of Array.isArray(federated) ? federated : federated ? [federated] : []) {
      if (OIDC_PROVIDER.test(arn)) return arn;
    }
  }
  return null;
}

export const blockWebIdentity = defineAction({
  name: 'block-web-identity',
  description:
    "Add a Deny of sts:AssumeRoleWithWebIdentity for the compromised system:serviceaccount:<ns>:<sa> subject to the role's trust policy, so a stolen token cannot mint new sessions. Undo restores the original trust policy.",
  params: webIdentityTarget,
  permissions: {
    iam: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy', 'iam:ListRoleTags'],
    kubernetes: [],
  },
  example: {
    kind: 'web-identity',
    roleArn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
    namespace: 'payments',
    serviceAccount: 'payments-api',
  },
  async check(ctx, params) {
    const role = await resolveRoleName(ctx, { kind: 'role', arn: params.roleArn });
    if ('skip' in role) return { ok: false, reason: role.skip };
    const { Role } = await ctx.aws.iam.send(new GetRoleCommand({ RoleName: role.value }));
    const document = decodePolicyDocument(Role?.AssumeRolePolicyDocument);
    if (!document || !Role?.AssumeRolePolicyDocument) {
      throw new PermanentActionError(`role ${roleName(params.roleArn)} has no trust policy`);
    }
    const providerArn = trustedProvider(document);
    if (!providerArn) {
      return {
        ok: false,
        reason: `role ${role.value} does not trust an EKS OIDC provider; nothing to block`,
      };
    }
    const subject = `system:serviceaccount:${params.namespace}:${params.serviceAccount}`;
    return {
      ok: true,
      state: {
        role: role.value,
        original: JSON.stringify(document),
        document,
        providerArn,
        subject,
      } satisfies State,
    };
  },
  plan: (state) =>
    state.document.Statement.some((s) => s.Sid === sidFor(state.subject))
      ? []
      : [`deny ${state.subject} in the trust policy of ${state.role}`],
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
