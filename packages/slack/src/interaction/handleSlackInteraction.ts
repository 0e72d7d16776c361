import { createHash } from 'node:crypto';
import type { ApprovalStore } from '@tourniquet/core';
import {
  type ApprovalRecord,
  type ApproverIdentity,
  type ApproverPeople,
  ATTEMPT_RESULT,
  type AttemptResult,
  DECISION_CHANNEL,
  type DecisionDeps,
  type DecisionResult,
  decideApproval,
  personOf,
  type TaskCompleter,
} from '@tourniquet/core';
import { type AttemptAudit, auditAttempt } from '../audit';
import { authoriseSlackUser } from '../authorise/authoriseSlackUser';
import type { UserGroupCache } from '../authorise/userGroupCache';
import type { SlackMessenger } from '../client/slackMessenger';
import {
  BodyTooLargeError,
  InteractionPayloadError,
  SIGNATURE_PROBLEM,
  SignatureError,
} from '../errors';
import type { ApprovalLog } from '../log';
import { approvalMessage } from '../message/approvalMessage';
import type { SlackSettings } from '../settings/approvalSettings';
import { MAX_SIGNATURE_AGE_SECONDS, verifySlackRequest } from '../signing/verifySlackRequest';
import { type Answer, httpAnswer } from './answers';
import { type HttpRequest, type HttpResponse, rawBody } from './httpRequest';
import { type ApprovalClick, parseInteraction } from './interactionPayload';
import { withinBudget } from './withinBudget';

export interface InteractionDeps {
  /** Resolved per request so a rotated secret is picked up (the caller caches it). */
  signingSecret: () => Promise<string>;
  slackSettings: SlackSettings;
  /** `approvals.people`: who is who across Slack and AWS, for the two-person rule. */
  people?: ApproverPeople;
  consoleDomain: string;
  store: ApprovalStore;
  completer: TaskCompleter;
  /** Records a decision on the incident (see DecisionDeps). */
  onDecided?: DecisionDeps['onDecided'];
  /** For chat.update and ephemeral notes; null when the bot token is unavailable. */
  slack: SlackMessenger | null;
  groups: UserGroupCache | null;
  now: () => Date;
  log: ApprovalLog;
  /** Time from receipt to answer Slack allows (3 s) minus a margin for the network. */
  budgetMs?: number;
  /**
   * Counts a request refused before it could be shown to come from Slack (wrong method, too
   * large, bad or stale signature, malformed payload). Such requests are logged and counted,
   * never stored: anyone on the internet can send them, and storing them would let them fill
   * the table.
   */
  countRejected?: (result: AttemptResult) => void;
  /**
   * Starts the release playbook for an incident (a Release click, once authorised); absent, a
   * Release click is answered as unavailable.
   */
  release?: (request: ReleaseRequest) => Promise<ReleaseOutcome>;
}

/** What a Release click asks for: the incident comes from the approval record, never the click. */
export interface ReleaseRequest {
  incidentKey: string;
  approvalId: string;
  requestedBy: ApproverIdentity;
  now: Date;
}

export type ReleaseOutcome =
  | { status: 'started'; executionArn: string; steps: string[] }
  | { status: 'already-running'; executionArn: string; steps: string[] }
  | { status: 'nothing-to-release' }
  | { status: 'no-incident' };

const DEFAULT_BUDGET_MS = 2500;

/**
 * The decision endpoint. Before answering it does the part that must be true when Slack shows
 * the answer — verify, parse, de-duplicate, authorise, the conditional decision and SendTask* —
 * and then, in whatever remains of the budget, updates the message and tells a refused clicker
 * why. A Function URL cannot work after its answer, so nothing is deferred past it.
 */
export async function handleSlackInteraction(
  request: HttpRequest,
  deps: InteractionDeps,
): Promise<HttpResponse> {
  const started = Date.now();
  const now = deps.now();
  const audit = (attempt: Omit<AttemptAudit, 'at' | 'channel' | 'sourceIp' | 'requestId'>) =>
    auditAttempt(deps.store, deps.log, {
      ...attempt,
      at: now,
      channel: DECISION_CHANNEL.slack,
      sourceIp: request.sourceIp,
      requestId: request.requestId,
    });
  const refuse = async (answer: Answer) => {
    deps.log.warn('request refused before authentication', {
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
      message: `method ${request.method} not allowed; Slack posts`,
    });
  }
  let body: Buffer;
  try {
    body = rawBody(request);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return refuse({ result: ATTEMPT_RESULT.tooLarge, message: error.message });
  }
  const signature = request.headers['x-slack-signature'];
  let signingSecret: string;
  try {
    signingSecret = await deps.signingSecret();
  } catch (error) {
    deps.log.error('signing secret unavailable', { error: (error as Error).message });
    return refuse({
      result: ATTEMPT_RESULT.unavailable,
      message: 'cannot verify requests right now; try again',
    });
  }
  try {
    verifySlackRequest(
      signingSecret,
      { signature, timestamp: request.headers['x-slack-request-timestamp'], rawBody: body },
      now,
    );
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    const stale =
      error.problem === SIGNATURE_PROBLEM.stale || error.problem === SIGNATURE_PROBLEM.future;
    return refuse({
      result: stale ? ATTEMPT_RESULT.staleTimestamp : ATTEMPT_RESULT.badSignature,
      message: `signature check failed: ${error.message}`,
    });
  }

  let click: ApprovalClick;
  try {
    click = parseInteraction(body);
  } catch (error) {
    if (!(error instanceof InteractionPayloadError)) throw error;
    return refuse({
      result: ATTEMPT_RESULT.malformed,
      message: `malformed interaction: ${error.message}`,
    });
  }
  const actor: ApproverIdentity = {
    id: `slack:${click.user.id}`,
    name: click.user.name,
    channel: DECISION_CHANNEL.slack,
    person: personOf({ channel: 'slack', id: click.user.id }, deps.people),
  };
  const attempt = { approvalId: click.approvalId, actor, choice: click.choice };

  // The signature is fresh for five minutes; within that window a captured request could be
  // sent again. Its signature is unique, so remembering it makes every replay visible.
  const fingerprint = createHash('sha256')
    .update(signature ?? '')
    .digest('hex');
  const first = await deps.store.rememberRequest(fingerprint, now, MAX_SIGNATURE_AGE_SECONDS * 2);
  const record = await deps.store.get(click.approvalId);
  const known = { ...attempt, incidentKey: record?.incidentKey ?? null };
  const finish = async (answer: Answer, note: string | null, current: ApprovalRecord | null) => {
    await Promise.all([
      audit({ ...known, result: answer.result, detail: answer.message }),
      followUp(deps, click, current, note, started),
    ]);
    return httpAnswer(answer);
  };

  if (!first) {
    const message = 'this request was already received; a replayed request changes nothing';
    return finish({ result: ATTEMPT_RESULT.replayed, message }, null, null);
  }
  if (!record) {
    const message = `no approval ${click.approvalId}`;
    return finish({ result: ATTEMPT_RESULT.unknownApproval, message }, message, null);
  }
  // The approval's own message, or (when posting it failed) the configured channel: a click from
  // anywhere else did not come from Tourniquet's message.
  const expectedChannel = record.message?.channel ?? deps.slackSettings.channel;
  if (click.channelId !== expectedChannel) {
    const message = "the click did not come from this approval's message";
    return finish({ result: ATTEMPT_RESULT.malformed, message }, message, null);
  }
  const authorisation = await authoriseSlackUser(
    { id: click.user.id, teamId: click.teamId },
    deps.slackSettings,
    deps.groups,
  );
  if (!authorisation.authorised) {
    const result = authorisation.retryable
      ? ATTEMPT_RESULT.unavailable
      : ATTEMPT_RESULT.unauthorised;
    const message = `not authorised: ${authorisation.reason}`;
    return finish(
      { result, message },
      `Your ${click.choice} was not accepted: ${authorisation.reason}.`,
      null,
    );
  }
  if (click.choice === 'release') {
    const { answer, note } = await requestRelease(deps, record, actor, now);
    return finish(answer, note, null);
  }
  const decision = await decideApproval(
    { store: deps.store, completer: deps.completer, onDecided: deps.onDecided },
    { approvalId: click.approvalId, choice: click.choice, approver: actor, now },
    record,
  );
  const { answer, note } = describeDecision(decision, click);
  return finish(answer, note, 'record' in decision ? decision.record : null);
}

/**
 * A Release click from an authorised approver: starts the release playbook for the incident the
 * approval record names. It decides nothing itself; the release waits for its own approval.
 */
async function requestRelease(
  deps: InteractionDeps,
  record: ApprovalRecord,
  actor: ApproverIdentity,
  now: Date,
): Promise<{ answer: Answer; note: string | null }> {
  const refused = (message: string) => ({
    answer: { result: ATTEMPT_RESULT.releaseRefused, message },
    note: `Release not requested: ${message}.`,
  });
  if (record.playbook === 'release')
    return refused('this is a release approval; decide it with Approve or Deny');
  if (record.status === 'pending')
    return refused('this approval is still pending; decide it first');
  const unavailable = (reason: string) => ({
    answer: {
      result: ATTEMPT_RESULT.unavailable,
      message: `could not request the release: ${reason}; nothing changed, try again`,
    },
    note: 'The release could not be requested just now; nothing changed. Please try again.',
  });
  if (!deps.release) return unavailable('releases are not available on this endpoint');
  let outcome: ReleaseOutcome;
  try {
    outcome = await deps.release({
      incidentKey: record.incidentKey,
      approvalId: record.approvalId,
      requestedBy: actor,
      now,
    });
  } catch (error) {
    deps.log.error('release not started', {
      approvalId: record.approvalId,
      error: (error as Error).message,
    });
    return unavailable('the release playbook did not start');
  }
  if (outcome.status !== 'started' && outcome.status !== 'already-running') {
    const message = 'nothing to release: no containment of this incident is recorded as in force';
    return {
      answer: { result: ATTEMPT_RESULT.nothingToRelease, message },
      note: `Nothing to release: no containment of ${record.incidentKey} is recorded as in force.`,
    };
  }
  const joined =
    outcome.status === 'already-running' ? ' (joined the one started minutes ago)' : '';
  return {
    answer: {
      result: ATTEMPT_RESULT.releaseRequested,
      message: `release requested${joined}: ${outcome.executionArn} waits for approval to undo ${outcome.steps.join(', ')}`,
    },
    note: `Release requested${joined}: it waits for approval (a new message) before it undoes ${outcome.steps.join(', ')}.`,
  };
}

/** The answer for each decision result, and the note (ephemeral) a refused clicker gets. */
function describeDecision(
  decision: DecisionResult,
  click: ApprovalClick,
): { answer: Answer; note: string | null } {
  switch (decision.kind) {
    case 'approved':
      return {
        answer: {
          result: ATTEMPT_RESULT.approved,
          message: `approved: the playbook runs ${decision.record.actions.join(', ')}`,
        },
        note: null,
      };
    case 'denied':
      return {
        answer: {
          result: ATTEMPT_RESULT.denied,
          message: `denied: the playbook skips ${decision.record.actions.join(', ')}`,
        },
        note: null,
      };
    case 'awaiting-approval': {
      const { approvals, requiredApprovals } = decision.record;
      const message = `approval ${approvals.length} of ${requiredApprovals} recorded; a different approver must confirm`;
      return { answer: { result: ATTEMPT_RESULT.firstApproval, message }, note: null };
    }
    case 'not-found':
      return {
        answer: {
          result: ATTEMPT_RESULT.unknownApproval,
          message: `no approval ${click.approvalId}`,
        },
        note: 'This approval no longer exists.',
      };
    case 'already-decided': {
      const r = decision.record;
      const message = `already ${r.status} by ${r.decidedBy?.id ?? 'someone'} at ${r.decidedAt ?? 'an earlier time'}; this click changed nothing`;
      return {
        answer: { result: ATTEMPT_RESULT.alreadyDecided, message },
        note: `This approval was already ${r.status}; your click changed nothing.`,
      };
    }
    case 'repeat-approver':
      return {
        answer: {
          result: ATTEMPT_RESULT.repeatApprover,
          message: 'you already approved; a different approver must confirm',
        },
        note: 'You already approved this. The two-person rule needs a different approver.',
      };
    case 'expired':
      return {
        answer: {
          result: ATTEMPT_RESULT.expired,
          message: `expired: ${decision.reason}; nothing changed`,
        },
        note: `This approval expired (${decision.reason}); your click changed nothing.`,
      };
    case 'unavailable':
      return {
        answer: {
          result: ATTEMPT_RESULT.unavailable,
          message: `could not complete the decision: ${decision.reason}; nothing changed, try again`,
        },
        note: 'Your decision could not be completed just now; nothing changed. Please try again.',
      };
  }
}

/**
 * Within the remaining budget: show the approval's current state in the message (also after a
 * refused click, which repairs a message whose earlier update was lost) and tell a refused
 * clicker why. Failures are logged; the decision stands regardless.
 */
async function followUp(
  deps: InteractionDeps,
  click: ApprovalClick,
  record: ApprovalRecord | null,
  note: string | null,
  started: number,
): Promise<void> {
  const slack = deps.slack;
  if (!slack) return;
  const work: Array<Promise<unknown>> = [];
  const channel = record?.message?.channel ?? click.channelId;
  const ts = record?.message?.ts ?? click.messageTs;
  if (record && channel && ts) {
    work.push(
      slack.updateMessage(
        channel,
        ts,
        approvalMessage(record, { consoleDomain: deps.consoleDomain }),
      ),
    );
  }
  if (note && click.channelId) work.push(slack.postEphemeral(click.channelId, click.user.id, note));
  if (work.length === 0) return;
  const left = (deps.budgetMs ?? DEFAULT_BUDGET_MS) - (Date.now() - started);
  const outcome = await withinBudget(Promise.all(work), left);
  if (outcome !== 'done') {
    deps.log.warn('Slack follow-up did not complete', {
      approvalId: click.approvalId,
      outcome: outcome instanceof Error ? outcome.message : outcome,
    });
  }
}
