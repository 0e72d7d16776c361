import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * Whether a caller ARN is one of the configured approvers: the exact ARN; any session of a
 * configured IAM role (`arn:aws:iam::1:role/OnCall` covers `arn:aws:sts::1:assumed-role/OnCall/alice`,
 * which is what GetCallerIdentity returns for it); or a prefix ending in `*`.
 */
export function matchesApproverArn(callerArn: string, pattern: string): boolean {
  if (pattern.endsWith('*')) return callerArn.startsWith(pattern.slice(0, -1));
  if (callerArn === pattern) return true;
  const session = ASSUMED_ROLE.exec(callerArn);
  const role = IAM_ROLE.exec(pattern);
  return Boolean(
    session && role && session[1] === role[1] && session[2] === role[2] && session[3] === role[3],
  );
}

export type CallerAuthorisation =
  | { authorised: true; arn: string }
  | { authorised: false; arn: string | null; reason: string };

/** Asks STS who the caller is (locally, moto answers) and checks that against the approvers. */
export async function authoriseAwsCaller(
  sts: STSClient,
  approverArns: readonly string[],
): Promise<CallerAuthorisation> {
  const { Arn: arn } = await sts.send(new GetCallerIdentityCommand({}));
  if (!arn) return { authorised: false, arn: null, reason: 'STS returned no caller ARN' };
  if (approverArns.length === 0) {
    return {
      authorised: false,
      arn,
      reason: 'no CLI approvers are configured (approvals.cli.approverArns)',
    };
  }
  return approverArns.some((p) => matchesApproverArn(arn, p))
    ? { authorised: true, arn }
    : { authorised: false, arn, reason: `${arn} is not in approvals.cli.approverArns` };
}
