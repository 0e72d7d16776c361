import type { EscalationReason } from '../playbooks/serviceContracts';
import type { FindingSighting, IncidentPlan, RecordedOutcome } from './incidentRecord';
import type { IncidentStatus } from './incidentStatus';

export type { RecordedOutcome };

export type TicketOperation = 'find' | 'open' | 'comment' | 'page' | 'acknowledge' | 'resolve';

/**
 * Everything that can happen to an incident. Each event becomes exactly one audit entry, and the
 * incident item is the fold of its events: the audit trail is the source of truth.
 */
export type IncidentEvent =
  | {
      type: 'opened';
      title: string;
      severity: string;
      account: string;
      region: string;
      cluster: string | null;
      subject: string;
    }
  | {
      type: 'finding-seen';
      eventId: string | null;
      finding: Omit<FindingSighting, 'deliveries'>;
    }
  | {
      type: 'execution-claimed';
      /** The execution the claimer is about to start. */
      name: string;
      /** EventBridge id of the finding that claimed it: its redelivery may start it. */
      eventId: string;
    }
  | {
      type: 'execution-started';
      name: string;
      playbook: string;
      plan: IncidentPlan;
      arn?: string | null;
    }
  | { type: 'execution-joined'; name: string; findingId: string }
  | { type: 'status-changed'; to: IncidentStatus; reason: string }
  | {
      type: 'actions-recorded';
      runId: string;
      playbook: string;
      mode: 'apply' | 'undo';
      outcomes: RecordedOutcome[];
    }
  | { type: 'approval-requested'; actions: string[]; approvalId?: string }
  | {
      type: 'approval-decided';
      decision: 'approved' | 'denied' | 'expired';
      by: string | null;
      at: string;
      actions: string[];
    }
  | {
      type: 'escalated';
      id: string;
      reason: EscalationReason;
      error: string | null;
      cause: string | null;
    }
  | { type: 'ticket-claimed'; sink: string; claimId: string }
  | {
      type: 'ticket-opened';
      sink: string;
      claimId: string;
      ticketId: string;
      apiId: string;
      url: string | null;
      /** The update whose content the new ticket carries. */
      postId: string;
      /** Found at the sink (an earlier attempt created it) rather than created now. */
      adopted: boolean;
    }
  | {
      type: 'ticket-posted';
      sink: string;
      postId: string;
      operation: 'comment' | 'page' | 'acknowledge' | 'resolve';
      summary: string;
    }
  | {
      type: 'ticket-failed';
      sink: string;
      operation: TicketOperation;
      error: string;
      retryable: boolean;
    }
  | { type: 'ticket-note'; sink: string; note: string }
  | { type: 'ticket-skipped'; runId: string; reason: string };

export type IncidentEventType = IncidentEvent['type'];

/** Who caused a change and when; every audit entry carries both. */
export interface ChangeMeta {
  actor: string;
  at: string;
}
