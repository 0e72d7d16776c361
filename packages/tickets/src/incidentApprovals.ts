import type {
  ApprovalDecision,
  IncidentEvent,
  IncidentHead,
  IncidentStore,
} from '@tourniquet/core';
import { inForceAfter, updateIncident } from '@tourniquet/core';
import { parseApprovalRequest } from './approvalRequest';
import { recordedOutcomes } from './findingEvents';
import { ensureIncident, statusMove } from './incidentChanges';

export interface IncidentApprovalsOptions {
  store: IncidentStore;
  /** Who the audit trail says made the changes (`request-approval`, `decide`…). */
  actor: string;
  now?: () => Date;
}

/**
 * Approvals on the incident record: asked for (the incident waits), then decided (who and when,
 * and the incident stops waiting). The approval functions use this alone; the ticket service
 * uses it too, so both write the same events. It touches no ticket sink, so the approval
 * functions load none of the ticket code (docs/decisions.md, "Cold init").
 */
export class IncidentApprovals {
  private readonly now: () => Date;

  constructor(private readonly options: IncidentApprovalsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The approval Task asked on-call: the incident waits. */
  async approvalRequested(input: unknown): Promise<void> {
    const request = parseApprovalRequest(input);
    await this.change(request.incidentKey, (h) => [
      ...ensureIncident(h, request.incidentKey, request.finding),
      {
        type: 'approval-requested',
        actions: request.actions,
        ...(request.approvalId ? { approvalId: request.approvalId } : {}),
      },
      ...statusMove(
        h?.status ?? 'open',
        'awaiting-approval',
        `${request.playbook}: approval requested`,
      ),
    ]);
  }

  /** On-call decided, as the playbook reports it with the step outcomes so far. */
  async approvalDecided(input: unknown, decision: ApprovalDecision): Promise<void> {
    const request = parseApprovalRequest(input);
    await this.recordDecision(
      request.incidentKey,
      request.actions,
      decision,
      recordedOutcomes(request.results),
    );
  }

  /**
   * The same, from the decision endpoint or the CLI, which know the approval but not the step
   * outcomes (the ticket step records those when the playbook reaches it).
   */
  async approvalDecidedOn(
    incidentKey: string,
    actions: readonly string[],
    decision: ApprovalDecision,
  ): Promise<void> {
    await this.recordDecision(incidentKey, [...actions], decision, []);
  }

  private async recordDecision(
    incidentKey: string,
    actions: string[],
    decision: ApprovalDecision,
    outcomes: ReturnType<typeof recordedOutcomes>,
  ): Promise<void> {
    await this.change(incidentKey, (h) => {
      if (!h) return [];
      const inForce = inForceAfter(h.inForce, 'apply', outcomes);
      const to = inForce.length > 0 ? 'contained' : 'open';
      return [
        {
          type: 'approval-decided',
          decision: decision.decision,
          by: 'by' in decision ? decision.by : null,
          at: 'at' in decision ? decision.at : this.now().toISOString(),
          actions,
        },
        ...(h.status === 'awaiting-approval'
          ? statusMove(h.status, to, `approval ${decision.decision}`)
          : []),
      ];
    });
  }

  private change(key: string, decide: (head: IncidentHead | null) => IncidentEvent[]) {
    return updateIncident(this.options.store, key, decide, {
      actor: this.options.actor,
      now: this.now,
    });
  }
}
