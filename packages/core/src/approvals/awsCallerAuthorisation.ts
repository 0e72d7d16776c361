const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * Why an approver pattern is unusable, or null when it is fine. A `*` is only allowed as the
 * whole last path segment (`…/assumed-role/OnCall/*`): `assumed-role/OnCall*` would also match
 * `assumed-role/OnCallContractors/…`, a different role.
 */
export function approverPatternProblem(pattern: string): string | null {
  const star = pattern.indexOf('*');
  if (star === -1) return null;
  if (star !== pattern.length - 1 || !pattern.endsWith('/*')) {
    return `'*' is only allowed as the last path segment ('…/OnCall/*'); '${pattern.slice(0, 120)}' would also match other roles or users whose names merely start the same`;
  }
  return null;
}

/**
 * Whether a caller ARN is one of the configured approvers: the exact ARN; any session of a
 * configured IAM role (`arn:aws:iam::1:role/OnCall` covers `arn:aws:sts::1:assumed-role/OnCall/alice`,
 * which is what GetCallerIdentity returns for it); or a prefix ending in `/*`, anchored at that
 * `/`. Patterns with any other `*` never match (config load rejects them).
 */
export function matchesApproverArn(callerArn: string, pattern: string): boolean {
  if (pattern.includes('*')) {
    if (approverPatternProblem(pattern)) return false;
    const prefix = pattern.slice(0, -1);
    return callerArn.startsWith(prefix) && callerArn.length > prefix.length;
  }
  if (callerArn === pattern) return true;
  const session = ASSUMED_ROLE.exec(callerArn);
  const role = IAM_ROLE.exec(pattern);
  return Boolean(
    session && role && session[1] === role[1] && session[2] === role[2] && session[3] === role[3],
  );
}

/**
 * Who an AWS caller is for counting approvals when the people map does not name them: every
 * session of one role is one principal (`aws-role:<partition>:<account>:<role>`), because the
 * session name is chosen by whoever assumes the role. Other principals (IAM users) are their ARN.
 */
export function awsPrincipalOf(callerArn: string): string {
  const session = ASSUMED_ROLE.exec(callerArn);
  if (session) return `aws-role:${session[1]}:${session[2]}:${session[3]}`;
  const role = IAM_ROLE.exec(callerArn);
  if (role) return `aws-role:${role[1]}:${role[2]}:${role[3]}`;
  return `aws:${callerArn}`;
}

export type CallerAuthorisation =
  | { authorised: true; arn: string }
  | { authorised: false; arn: string | null; reason: string };

/** Checks a verified caller ARN against the deployed approvers. */
export function authoriseAwsCallerArn(
  arn: string,
  approverArns: readonly string[],
): CallerAuthorisation {
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
