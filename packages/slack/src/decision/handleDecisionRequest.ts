import { createHash } from 'node:crypto';
import {
  type DynamoApprovalStore,
  PROOF_EXPIRES_SECONDS,
  verifyDecisionProof,
} from '@tourniquet/aws';
import {
  type ApprovalRecord,
  type ApproverIdentity,
  type ApproverPeople,
  ATTEMPT_RESULT,
  type AttemptResult,
  authoriseAwsCallerArn,
  DECISION_CHANNEL,
  type DecisionDeps,
  DecisionProofError,
  type DecisionResult,
  decideApproval,
  isApprovalId,
  personOf,
  type TaskCompleter,
} from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import { type AttemptAudit, auditAttempt } from '../audit';
import type { SlackMessenger } from '../client/slackMessenger';
import { BodyTooLargeError } from '../errors';
import { type Answer, httpAnswer } from '../interaction/answers';
import { type HttpRequest, type HttpResponse, rawBody } from '../interaction/httpRequest';
import { withinBudget } from '../interaction/withinBudget';
import type { ApprovalLog } from '../log';
import { approvalMessage } from '../message/approvalMessage';

/** A decision request is an id, a verb and a presigned URL: a few kilobytes at most. */
const MAX_DECISION_BODY_BYTES = 16 * 1024;
const SLACK_UPDATE_BUDGET_MS = 2000;

const decisionBody = z.strictObject({
  approvalId: z
    .string()
    .check(z.refine(isApprovalId, 'expected an approval id (apr_ and 22 characters)')),
  choice: z.enum(['approve', 'deny']),
  /** Presigned STS GetCallerIdentity URL signing `x-tourniquet-decision: <approvalId>:<choice>`. */
  proof: z.string().check(z.minLength(1), z.maxLength(8192)),
});

export interface DecisionRequestDeps {
  store: DynamoApprovalStore;
  completer: TaskCompleter;
  /** The deployed `approvals.cli.approverArns`: the only source of CLI authority. */
  approverArns: readonly string[];
  people?: ApproverPeople;
  onDecided?: DecisionDeps['onDecided'];
  /** To show the decision in the Slack message; null without Slack. */
  slack: SlackMessenger | null;
  consoleDomain: string;
  now: () => Date;
  log: ApprovalLog;
  /** Local runs only: the STS stand-in a proof may name besides AWS STS. */
  localStsEndpoint?: string;
  fetch?: typeof fetch;
  /** Counts a request refused before its caller was known (logged, never stored). */
  countRejected?: (result: AttemptResult) => void;
}

/**
 * The decision endpoint behind `tourniquet approve|deny`. The caller proves who they are with a
 * presigned STS GetCallerIdentity bound to this decision; this function sends it to STS itself and
 * authorises the ARN STS returns against the deployed approvers. Nothing the caller's machine
 * holds (a config file, a table name, its own AWS permissions) grants authority.
 */
export async function handleDecisionRequest(
  request: HttpRequest,
  deps: DecisionRequestDeps,
): Promise<HttpResponse> {
  const now = deps.now();
  const refuse = (answer: Answer) => {
    deps.log.warn('decision request refused before it named an approval to an approver', {
      result: answer.result,
      detail: answer.message,
      sourceIp: request.sourceIp,
      requestId: request.requestId,
    });
    if (answer.result !== ATTEMPT_RESULT.unavailable) deps.countRejected?.(answer.result);
    return httpAnswer(answer);
  };
  if (request.method.toUpperCase() !== 'POST') {
    return refuse({
      result: ATTEMPT_RESULT.malformed,
      status: 405,
      message: `method ${request.method} not allowed; POST {"approvalId", "choice", "proof"}`,
    });
  }
  let body: Buffer;
  try {
    body = rawBody(request, MAX_DECISION_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return refuse({ result: ATTEMPT_RESULT.tooLarge, message: error.message });
  }
  let parsed: z.infer<typeof decisionBody>;
  try {
    const result = decisionBody.safeParse(JSON.parse(body.toString('utf8')));
    if (!result.success) {
      const problem = result.error.issues
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      return refuse({
        result: ATTEMPT_RESULT.malformed,
        message: `malformed decision: ${problem}`,
      });
    }
    parsed = result.data;
  } catch {
    return refuse({ result: ATTEMPT_RESULT.malformed, message: 'malformed decision: not JSON' });
  }
  const { approvalId, choice, proof } = parsed;

  let arn: string;
  try {
    ({ arn } = await verifyDecisionProof(
      proof,
      { approvalId, choice },
      { now, localStsEndpoint: deps.localStsEndpoint, fetch: deps.fetch },
    ));
  } catch (error) {
    if (!(error instanceof DecisionProofError)) throw error;
    return refuse({
      result: error.retryable ? ATTEMPT_RESULT.unavailable : ATTEMPT_RESULT.badSignature,
      message: `identity not proven: ${error.message}`,
    });
  }

  const actor: ApproverIdentity = {
    id: `aws:${arn}`,
    name: arn,
    channel: DECISION_CHANNEL.cli,
    person: personOf({ channel: 'aws', id: arn }, deps.people),
  };
  const record = await deps.store.get(approvalId);
  const audit = (result: AttemptResult, detail: string) =>
    auditAttempt(deps.store, deps.log, {
      at: now,
      channel: DECISION_CHANNEL.cli,
      incidentKey: record?.incidentKey ?? null,
      approvalId,
      actor,
      choice,
      result,
      detail,
      sourceIp: request.sourceIp,
      requestId: request.requestId,
    } satisfies AttemptAudit);
  const answer = async (result: AttemptResult, message: string) => {
    await audit(result, message);
    return httpAnswer({ result, message });
  };

  // Any AWS account in the world can produce a valid proof, so nothing is stored for a caller
  // until it names a real approval (ids are unguessable) or is an approver: otherwise anyone
  // could fill the table.
  const authorisation = authoriseAwsCallerArn(arn, deps.approverArns);
  if (!record) {
    const message = `no approval ${approvalId}`;
    if (!authorisation.authorised)
      return refuse({ result: ATTEMPT_RESULT.unknownApproval, message });
    return answer(ATTEMPT_RESULT.unknownApproval, message);
  }
  if (!authorisation.authorised) {
    return answer(ATTEMPT_RESULT.unauthorised, `not authorised: ${authorisation.reason}`);
  }
  // A proof is good for a minute; its signature is unique, so a second use is a replay.
  const fingerprint = createHash('sha256')
    .update(new URL(proof).searchParams.get('X-Amz-Signature') ?? proof)
    .digest('hex');
  if (!(await deps.store.rememberRequest(fingerprint, now, PROOF_EXPIRES_SECONDS * 2 + 600))) {
    return answer(ATTEMPT_RESULT.replayed, 'this proof was already used; sign a new one');
  }
  const decision = await decideApproval(
    { store: deps.store, completer: deps.completer, onDecided: deps.onDecided },
    { approvalId, choice, approver: actor, now },
    record,
  );
  const described = describeDecision(decision, approvalId);
  const updated = 'record' in decision ? decision.record : null;
  if (updated) await showInSlack(deps, updated);
  return answer(described.result, described.message);
}

/** Each decided step with the concrete target it was resolved to (else the plan's target). */
function stepsOn(record: {
  actions: readonly string[];
  steps: ReadonlyArray<{ action: string; target: string | null; resolved?: string | null }>;
}): string {
  const byAction = new Map(record.steps.map((s) => [s.action, s]));
  return record.actions
    .map((action) => {
      const step = byAction.get(action);
      if (step?.resolved === null) return `${action} (resolves to nothing: skipped)`;
      const on = step?.resolved ?? step?.target;
      return on ? `${action} on ${on}` : action;
    })
    .join(', ');
}

/** The answer for each decision result, worded for a terminal. */
export function describeDecision(
  result: DecisionResult,
  approvalId: string,
): { result: AttemptResult; message: string } {
  const r = (attempt: AttemptResult, message: string) => ({ result: attempt, message });
  switch (result.kind) {
    case 'approved':
      return r(
        ATTEMPT_RESULT.approved,
        `approved ${approvalId} (${result.record.incidentKey}): the playbook runs ${stepsOn(result.record)}`,
      );
    case 'denied':
      return r(
        ATTEMPT_RESULT.denied,
        `denied ${approvalId} (${result.record.incidentKey}): the playbook skips ${stepsOn(result.record)}`,
      );
    case 'awaiting-approval':
      return r(
        ATTEMPT_RESULT.firstApproval,
        `approval ${result.record.approvals.length} of ${result.record.requiredApprovals} recorded for ${approvalId}; a different approver must confirm`,
      );
    case 'not-found':
      return r(ATTEMPT_RESULT.unknownApproval, `no approval ${approvalId}`);
    case 'already-decided':
      return r(
        ATTEMPT_RESULT.alreadyDecided,
        `${approvalId} was already ${result.record.status} by ${result.record.decidedBy?.id ?? 'someone'}; nothing changed`,
      );
    case 'repeat-approver':
      return r(
        ATTEMPT_RESULT.repeatApprover,
        `you already approved ${approvalId}; a different approver must confirm`,
      );
    case 'expired':
      return r(ATTEMPT_RESULT.expired, `${approvalId} expired (${result.reason}); nothing changed`);
    case 'unavailable':
      return r(ATTEMPT_RESULT.unavailable, `could not decide ${approvalId}: ${result.reason}`);
  }
}

/** Best effort, within a budget: the Slack message shows the CLI decision too. */
async function showInSlack(deps: DecisionRequestDeps, record: ApprovalRecord): Promise<void> {
  if (!deps.slack || !record.message) return;
  const outcome = await withinBudget(
    deps.slack.updateMessage(
      record.message.channel,
      record.message.ts,
      approvalMessage(record, { consoleDomain: deps.consoleDomain }),
    ),
    SLACK_UPDATE_BUDGET_MS,
  );
  if (outcome !== 'done') {
    deps.log.warn('Slack message not updated after a CLI decision', {
      approvalId: record.approvalId,
      outcome: outcome instanceof Error ? outcome.message : outcome,
    });
  }
}
