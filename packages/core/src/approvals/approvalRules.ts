import type { ApprovalRecord, ApproverIdentity } from './approvalTypes';

export type Choice = 'approve' | 'deny';

/** What a decision attempt would do to the approval as it stands; pure, so it can be tested alone. */
export type NextStep =
  | { kind: 'already-decided' }
  | { kind: 'expired' }
  /** Pending, but past its expiry: it is marked expired instead of decided. */
  | { kind: 'expire' }
  | { kind: 'repeat-approver' }
  | { kind: 'add-approval' }
  | { kind: 'decide'; status: 'approved' | 'denied' };

/** What the two-person rule compares: the person, never the channel's session or user name. */
export function personKey(approver: ApproverIdentity): string {
  return approver.person ?? approver.id;
}

/**
 * A deny is final on its own — stopping a destructive step never needs a second person. An
 * approval is final once `requiredApprovals` different people gave one.
 */
export function nextStep(
  record: ApprovalRecord,
  choice: Choice,
  approver: ApproverIdentity,
  now: Date,
): NextStep {
  if (record.status === 'expired') return { kind: 'expired' };
  if (record.status !== 'pending') return { kind: 'already-decided' };
  if (now.getTime() >= Date.parse(record.expiresAt)) return { kind: 'expire' };
  if (choice === 'deny') return { kind: 'decide', status: 'denied' };
  if (record.approvals.some((a) => personKey(a.approver) === personKey(approver)))
    return { kind: 'repeat-approver' };
  return record.approvals.length + 1 >= record.requiredApprovals
    ? { kind: 'decide', status: 'approved' }
    : { kind: 'add-approval' };
}

/** How many approvals the actions need: two when any of them is under the two-person rule. */
export function requiredApprovalsFor(
  actions: readonly string[],
  twoPersonActions: readonly string[],
): number {
  return actions.some((a) => twoPersonActions.includes(a)) ? 2 : 1;
}

/** `by` of the approved decision: every approver, in order (`slack:U1 + aws:arn:…`). */
export function approvedBy(record: Pick<ApprovalRecord, 'approvals'>): string {
  return record.approvals.map((a) => a.approver.id).join(' + ');
}
