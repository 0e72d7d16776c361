import type { ApprovalStore } from '@tourniquet/core';
import { type AuditEntry, type DecisionChannel, isAccepted } from '@tourniquet/core';
import type { ApprovalLog } from './log';

export type AttemptAudit = Omit<
  AuditEntry,
  'outcome' | 'at' | 'channel' | 'sourceIp' | 'requestId'
> & {
  at: Date;
  channel: DecisionChannel;
  sourceIp?: string | null;
  requestId?: string | null;
};

/**
 * Writes one audit entry. A failed audit write is logged (the log is the audit of last resort)
 * but never changes the answer: the decision itself is already in the approval item.
 */
export async function auditAttempt(
  store: Pick<ApprovalStore, 'audit'>,
  log: ApprovalLog,
  attempt: AttemptAudit,
): Promise<void> {
  const entry: AuditEntry = {
    ...attempt,
    at: attempt.at.toISOString(),
    outcome: isAccepted(attempt.result) ? 'accepted' : 'rejected',
    sourceIp: attempt.sourceIp ?? null,
    requestId: attempt.requestId ?? null,
  };
  log.info('approval attempt', { audit: entry });
  try {
    await store.audit(entry);
  } catch (error) {
    log.error('audit write failed', { audit: entry, error: (error as Error).message });
  }
}
