import { APPROVAL_DENIED_ERROR } from '../playbooks/serviceContracts';
import { approvedBy, type Choice, nextStep } from './approvalRules';
import type { ApprovalStore } from './approvalStore';
import type { ApprovalRecord, ApproverIdentity } from './approvalTypes';
import { TaskGoneError } from './errors';
import type { ApprovalTaskOutcome, TaskCompleter } from './taskCompleter';

export interface DecisionAttempt {
  approvalId: string;
  choice: Choice;
  /** Already authorised by the channel (Slack approver list / group, or AWS identity). */
  approver: ApproverIdentity;
  now: Date;
}

export type DecisionResult =
  | { kind: 'approved' | 'denied'; record: ApprovalRecord }
  /** Two-person rule: this approval counted, another approver must still confirm. */
  | { kind: 'awaiting-approval'; record: ApprovalRecord }
  | { kind: 'not-found' }
  | { kind: 'already-decided'; record: ApprovalRecord }
  | { kind: 'repeat-approver'; record: ApprovalRecord }
  | { kind: 'expired'; record: ApprovalRecord; reason: string }
  /** Nothing changed (Step Functions or DynamoDB unavailable); the same click can be repeated. */
  | { kind: 'unavailable'; record: ApprovalRecord | null; reason: string };

export interface DecisionDeps {
  store: ApprovalStore;
  completer: TaskCompleter;
  /**
   * Told of a decision once Step Functions has it (the incident record keeps who decided what).
   * Its failure never undoes the decision; it should log what it could not record.
   */
  onDecided?: (record: ApprovalRecord, decision: RecordedDecision) => Promise<void>;
}

export interface RecordedDecision {
  decision: 'approved' | 'denied';
  by: string;
  at: string;
}

/** Enough rounds for a racing click to be observed, few enough to answer Slack in time. */
const MAX_ROUNDS = 3;

/**
 * The single-use decision, channel-agnostic (Slack button, CLI). The store's conditional write is
 * taken first and only then is Step Functions told: of two racing attempts only the winner ever
 * calls SendTask*. A taken decision is never handed back: if Step Functions' answer is lost, the
 * execution's history says what happened, and a decision it does not show yet is delivered again
 * by the next attempt (which is told the decision that stands).
 */
export async function decideApproval(
  deps: DecisionDeps,
  attempt: DecisionAttempt,
  known?: ApprovalRecord | null,
): Promise<DecisionResult> {
  let record = known ?? null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (!record || round > 0) record = await deps.store.get(attempt.approvalId);
    if (!record) return { kind: 'not-found' };
    if (undelivered(record)) {
      const settled = await deliver(deps, record);
      return settled.kind === 'approved' || settled.kind === 'denied'
        ? { kind: 'already-decided', record: settled.record }
        : settled;
    }
    const step = nextStep(record, attempt.choice, attempt.approver, attempt.now);
    switch (step.kind) {
      case 'already-decided':
        return { kind: 'already-decided', record };
      case 'expired':
        return { kind: 'expired', record, reason: record.expiredReason ?? 'expired' };
      case 'repeat-approver':
        return { kind: 'repeat-approver', record };
      case 'expire': {
        const reason = `no decision before ${record.expiresAt}`;
        const expired = await deps.store.markExpired(record, reason);
        if (!expired) continue;
        return { kind: 'expired', record: expired, reason };
      }
      case 'add-approval': {
        const given = { approver: attempt.approver, at: attempt.now.toISOString() };
        const updated = await deps.store.addApproval(record, given, attempt.now);
        if (!updated) continue;
        return { kind: 'awaiting-approval', record: updated };
      }
      case 'decide': {
        const given = { approver: attempt.approver, at: attempt.now.toISOString() };
        const approvals =
          step.status === 'approved' ? [...record.approvals, given] : record.approvals;
        if (!record.taskToken) {
          // Only possible for items written by hand: no token, nothing to tell Step Functions.
          return { kind: 'unavailable', record, reason: 'the approval has no task token' };
        }
        const claimed = await deps.store.claimDecision(
          record,
          { status: step.status, approvals, by: given },
          attempt.now,
        );
        if (!claimed) continue;
        return deliver(deps, claimed);
      }
    }
  }
  return { kind: 'unavailable', record, reason: 'the approval kept changing; try again' };
}

/** Decided in the store, but Step Functions has not confirmed it yet. */
function undelivered(record: ApprovalRecord): boolean {
  return (
    (record.status === 'approved' || record.status === 'denied') &&
    record.completedAt === null &&
    record.taskToken !== null
  );
}

/**
 * Tells Step Functions the decision the record holds (never the caller's), then records that it
 * arrived. When the answer is in doubt the execution's history settles it: the Task ended with
 * this decision → delivered; it ended otherwise → expired; still waiting → sent once more; history
 * unreadable → left as decided-but-undelivered for the next attempt to deliver.
 */
async function deliver(deps: DecisionDeps, record: ApprovalRecord): Promise<DecisionResult> {
  let token: string;
  try {
    token = (await deps.store.openTaskToken(record)) as string;
  } catch (error) {
    return stillUndelivered(record, (error as Error).message);
  }
  const send = () => sendDecision(deps, record, token);
  let failure: unknown;
  try {
    await send();
    return delivered(deps, record);
  } catch (error) {
    failure = error;
  }
  const outcome = await historyOf(deps, record);
  if (landed(record, outcome)) return delivered(deps, record);
  const gone = failure instanceof TaskGoneError;
  if (outcome.kind === 'waiting' && !gone) {
    try {
      await send();
      return delivered(deps, record);
    } catch (error) {
      // The history may only now show what the first, unanswered call did.
      if (landed(record, await historyOf(deps, record))) return delivered(deps, record);
      return stillUndelivered(record, (error as Error).message);
    }
  }
  if (outcome.kind === 'unknown' && !gone) {
    return stillUndelivered(record, `${(failure as Error).message}; ${outcome.reason}`);
  }
  // The Task ended some other way, or nothing waits for the token and no history says otherwise.
  const reason = 'the playbook stopped waiting (timed out or ended) before the decision arrived';
  const expired = await deps.store.markExpired(record, reason);
  return { kind: 'expired', record: expired ?? record, reason };
}

function stillUndelivered(record: ApprovalRecord, why: string): DecisionResult {
  return {
    kind: 'unavailable',
    record,
    reason: `the ${record.status} decision is recorded but Step Functions has not confirmed it (${why}); any further attempt delivers it`,
  };
}

async function sendDecision(deps: DecisionDeps, record: ApprovalRecord, token: string) {
  const at = record.decidedAt ?? new Date().toISOString();
  if (record.status === 'approved') {
    await deps.completer.succeed(token, { decision: 'approved', by: approvedBy(record), at });
  } else {
    const by = record.decidedBy;
    await deps.completer.fail(
      token,
      APPROVAL_DENIED_ERROR,
      `denied by ${by?.id ?? 'an approver'} (${by?.name ?? 'unknown'}) at ${at}`,
    );
  }
}

async function historyOf(deps: DecisionDeps, record: ApprovalRecord): Promise<ApprovalTaskOutcome> {
  if (!record.executionArn || !deps.completer.outcome) {
    return { kind: 'unknown', reason: 'no execution history to consult' };
  }
  return deps.completer.outcome(record.executionArn);
}

/** Whether the history shows the Task ended with exactly the record's decision. */
function landed(record: ApprovalRecord, outcome: ApprovalTaskOutcome): boolean {
  if (record.status === 'approved') return outcome.kind === 'succeeded';
  return outcome.kind === 'failed' && outcome.error === APPROVAL_DENIED_ERROR;
}

async function delivered(deps: DecisionDeps, record: ApprovalRecord): Promise<DecisionResult> {
  // The decision stands even if this bookkeeping write fails: the token is spent either way.
  let completed: ApprovalRecord | null = null;
  let recorded = true;
  try {
    completed = await deps.store.markCompleted(record, new Date());
    // Null: a racing delivery of the same decision recorded it (and told the incident) first.
    recorded = completed !== null;
  } catch {}
  const decision = record.status === 'approved' ? 'approved' : 'denied';
  if (recorded) {
    await deps
      .onDecided?.(completed ?? record, {
        decision,
        by: decision === 'approved' ? approvedBy(record) : (record.decidedBy?.id ?? 'unknown'),
        at: record.decidedAt ?? new Date().toISOString(),
      })
      .catch(() => {});
  }
  return { kind: decision, record: completed ?? record };
}
