import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ATTEMPT_RESULT, isApprovalId, presignDecision } from '@tourniquet/slack';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';

const usage = (
  verb: 'approve' | 'deny',
) => `Usage: tourniquet ${verb} [--url URL] [--region REGION] [--json] APPROVAL_ID

${verb === 'approve' ? 'Approves' : 'Denies'} a pending approval request — the fallback when Slack is unreachable or not
configured. The deployed decision function decides: the command signs a proof of your AWS
identity for this one decision (a presigned STS GetCallerIdentity, valid 60 s, bound to the
approval id and the verb), the function has STS verify it and checks the identity against the
deployed approvals.cli.approverArns. No local file grants authority. Each approval is decided
once: a second decision, or one after expiry, changes nothing and says so. Every attempt is
audited.

  --url URL        the decision endpoint: the stack output decisionUrl
                   (default: $TOURNIQUET_DECISION_URL)
  --region REGION  region whose STS endpoint the proof names (default: $AWS_REGION, else us-east-1)
  --sts-endpoint URL
                   a local STS stand-in to sign for (tests and local runs only; a deployed
                   endpoint refuses proofs for anything but AWS STS)
  --json           print {"approvalId", "result", "message"} on one line
Credentials: the AWS SDK's default chain (environment, profile, SSO, instance role).
Exit status: 0 decided (or first of two approvals), 1 refused or failed, 64 bad usage.
`;

export const APPROVE_USAGE = usage('approve');
export const DENY_USAGE = usage('deny');

export interface DecideOptions {
  /** Credentials to sign the proof with; the SDK's default chain otherwise. */
  credentials?: AwsCredentialIdentityProvider;
}

export const approveCommand = (args: string[], io: CliIo, options?: DecideOptions) =>
  decide('approve', args, io, options);
export const denyCommand = (args: string[], io: CliIo, options?: DecideOptions) =>
  decide('deny', args, io, options);

async function decide(
  verb: 'approve' | 'deny',
  args: string[],
  io: CliIo,
  options: DecideOptions = {},
): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    url: { type: 'string' },
    region: { type: 'string' },
    'sts-endpoint': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout(usage(verb));
    return EXIT.ok;
  }
  const [approvalId, ...extra] = positionals;
  if (!approvalId || extra.length > 0)
    throw new UsageError(`${verb} needs exactly one APPROVAL_ID`);
  if (!isApprovalId(approvalId)) {
    throw new UsageError(
      `'${approvalId.slice(0, 64)}' is not an approval id (apr_ and 22 characters)`,
    );
  }
  const url = values.url ?? process.env.TOURNIQUET_DECISION_URL?.trim();
  if (!url) {
    throw new UsageError(
      'name the decision endpoint with --url or $TOURNIQUET_DECISION_URL (the stack output decisionUrl)',
    );
  }
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url: '${url.slice(0, 100)}' is not a URL`);
  const region = values.region ?? (process.env.AWS_REGION?.trim() || 'us-east-1');
  const say = (result: string, message: string, code: number) => {
    io[code === EXIT.ok ? 'stdout' : 'stderr'](
      values.json ? `${JSON.stringify({ approvalId, result, message })}\n` : `${message}\n`,
    );
    return code;
  };

  let proof: string;
  try {
    proof = await presignDecision({
      approvalId,
      choice: verb,
      region,
      credentials: options.credentials ?? defaultProvider(),
      stsEndpoint: values['sts-endpoint'],
    });
  } catch (error) {
    return say(
      ATTEMPT_RESULT.unavailable,
      `no AWS credentials to prove who you are: ${(error as Error).message}`,
      EXIT.failed,
    );
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approvalId, choice: verb, proof }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    return say(
      ATTEMPT_RESULT.unavailable,
      `the decision endpoint ${url} could not be reached: ${(error as Error).message}; nothing changed`,
      EXIT.failed,
    );
  }
  const text = await response.text();
  let answer: { ok?: unknown; result?: unknown; message?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    return say(
      ATTEMPT_RESULT.unavailable,
      `the decision endpoint answered HTTP ${response.status} without a decision: ${text.slice(0, 200)}`,
      EXIT.failed,
    );
  }
  return say(
    String(answer.result ?? 'unknown'),
    String(answer.message ?? `HTTP ${response.status}`),
    answer.ok === true ? EXIT.ok : EXIT.failed,
  );
}
