import type { DynamoApprovalStore } from '@tourniquet/aws';
import { APPROVAL_STATUS, ATTEMPT_RESULT, DECISION_CHANNEL } from '@tourniquet/core';
import { auditAttempt } from '../audit';
import type { SlackMessenger } from '../client/slackMessenger';
import type { ApprovalLog } from '../log';
import { approvalMessage } from '../message/approvalMessage';

export interface CloseExpiredDeps {
  store: DynamoApprovalStore;
  /** Null without Slack (or with its secret unreadable): the records are still closed. */
  slack: SlackMessenger | null;
  consoleDomain: string;
  now: () => Date;
  log: ApprovalLog;
}

/** Step Functions times the wait out on its own clock; allow it to be a little early. */
const CLOCK_SKEW_MS = 60_000;

/**
 * After the playbook stopped waiting (its approval Task timed out), marks the incident's
 * still-pending approvals that are past their expiry as expired and replaces their Slack
 * messages' buttons with the expiry, so nobody clicks a request that can no longer move
 * anything. Approvals not yet due are left alone. Returns the ids it closed.
 */
export async function closeExpiredApprovals(
  incidentKey: string,
  deps: CloseExpiredDeps,
): Promise<string[]> {
  const now = deps.now();
  const trail = await deps.store.auditTrail(incidentKey);
  const ids = [
    ...new Set(
      trail
        .filter((e) => e.result === ATTEMPT_RESULT.requested && e.approvalId)
        .map((e) => e.approvalId as string),
    ),
  ];
  const closed: string[] = [];
  for (const id of ids) {
    const record = await deps.store.get(id);
    if (!record || record.status !== APPROVAL_STATUS.pending) continue;
    if (Date.parse(record.expiresAt) > now.getTime() + CLOCK_SKEW_MS) continue;
    const reason = `no decision before ${record.expiresAt}`;
    const expired = await deps.store.markExpired(record, reason);
    // A racing decision won: whatever it did stands.
    if (!expired) continue;
    closed.push(id);
    await auditAttempt(deps.store, deps.log, {
      at: now,
      channel: DECISION_CHANNEL.system,
      incidentKey,
      approvalId: id,
      actor: null,
      choice: null,
      result: ATTEMPT_RESULT.expired,
      detail: `${reason}: the playbook stopped waiting; denied by default`,
    });
    if (expired.message && deps.slack) {
      try {
        await deps.slack.updateMessage(
          expired.message.channel,
          expired.message.ts,
          approvalMessage(expired, { consoleDomain: deps.consoleDomain }),
        );
      } catch (error) {
        deps.log.warn('expired approval message not updated', {
          approvalId: id,
          error: (error as Error).message,
        });
      }
    }
  }
  return closed;
}
