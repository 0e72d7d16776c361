import type { ApprovalRecord, AuditEntry, GivenApproval } from './approvalTypes';

/**
 * What deciding an approval needs from storage. Every write is conditional on the version read:
 * a method answers null when the record changed meanwhile (someone else decided, it expired),
 * and the caller reads it again. The DynamoDB adapter lives in @tourniquet/aws.
 */
export interface ApprovalStore {
  get(approvalId: string): Promise<ApprovalRecord | null>;
  /** The task token of a record read from the store, unsealed (decision functions only). */
  openTaskToken(record: ApprovalRecord): Promise<string | null>;
  /** First of two approvals (two-person rule). */
  addApproval(
    record: ApprovalRecord,
    approval: GivenApproval,
    now: Date,
  ): Promise<ApprovalRecord | null>;
  /** Takes the single-use decision. */
  claimDecision(
    record: ApprovalRecord,
    decision: { status: 'approved' | 'denied'; approvals: GivenApproval[]; by: GivenApproval },
    now: Date,
  ): Promise<ApprovalRecord | null>;
  markCompleted(record: ApprovalRecord, at: Date): Promise<ApprovalRecord | null>;
  markExpired(record: ApprovalRecord, reason: string): Promise<ApprovalRecord | null>;
  audit(entry: AuditEntry): Promise<void>;
  /** False when the fingerprint was seen within the window: the request is a replay. */
  rememberRequest(fingerprint: string, now: Date, windowSeconds: number): Promise<boolean>;
}
