import { APPROVAL_DENIED_ERROR } from '@tourniquet/core';
import { approvedBy, type Choice, nextStep } from './approvalRules';
import type { ApprovalRecord, ApproverIdentity } from './approvalTypes';
import type { DynamoApprovalStore } from './dynamoApprovalStore';
import { TaskGoneError } from './errors';
import type { TaskCompleter } from './taskCompleter';

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
  store: DynamoApprovalStore;
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
 * calls SendTask*. If that call fails transiently the claim is rolled back; if the Task is gone
 * (timed out) the approval is marked expired.
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
        const claimed = await deps.store.claimDecision(
          record,
          { status: step.status, approvals, by: given },
          attempt.now,
        );
        if (!claimed) continue;
        return complete(deps, record, claimed, attempt);
      }
    }
  }
  return { kind: 'unavailable', record, reason: 'the approval kept changing; try again' };
}

async function complete(
  deps: DecisionDeps,
  before: ApprovalRecord,
  claimed: ApprovalRecord,
  attempt: DecisionAttempt,
): Promise<DecisionResult> {
  const token = before.taskToken;
  if (!token) {
    // Only possible for items written by hand: no token, nothing to tell Step Functions.
    await deps.store.revertClaim(claimed, before);
    return { kind: 'unavailable', record: before, reason: 'the approval has no task token' };
  }
  const at = attempt.now.toISOString();
  try {
    if (attempt.choice === 'approve') {
      await deps.completer.succeed(token, { decision: 'approved', by: approvedBy(claimed), at });
    } else {
      await deps.completer.fail(
        token,
        APPROVAL_DENIED_ERROR,
        `denied by ${attempt.approver.id} (${attempt.approver.name}) at ${at}`,
      );
    }
  } catch (error) {
    if (error instanceof TaskGoneError) {
      const reason =
        'the playbook stopped waiting (timed out or ended) before the decision arrived';
      const expired = await deps.store.markExpired(claimed, reason);
      return { kind: 'expired', record: expired ?? claimed, reason };
    }
    await deps.store.revertClaim(claimed, before);
    return { kind: 'unavailable', record: before, reason: (error as Error).message };
  }
  // The decision stands even if this bookkeeping write fails: the token is spent either way.
  const completed = await deps.store.markCompleted(claimed, attempt.now).catch(() => null);
  await deps
    .onDecided?.(completed ?? claimed, {
      decision: attempt.choice === 'approve' ? 'approved' : 'denied',
      by: attempt.choice === 'approve' ? approvedBy(claimed) : attempt.approver.id,
      at,
    })
    .catch(() => {});
  return {
    kind: attempt.choice === 'approve' ? 'approved' : 'denied',
    record: completed ?? claimed,
  };
}
