/**
 * The non-action functions a playbook calls — approval, ticket, escalation — as the local runtime
 * provides them. The deployed versions (Slack, ticket systems, paging) implement the same shapes.
 */
export interface ApprovalRequest {
  taskToken: string;
  incidentKey: string;
  playbook: string;
  actions: string[];
  finding: unknown;
  results: unknown;
  expiresInSeconds: number;
}

export type ApprovalDecision =
  | { decision: 'approved'; by: string; at: string }
  | { decision: 'denied'; by: string; at: string }
  | { decision: 'expired' };

/** Answers approval requests: a person at a prompt, a policy (all / none), a Slack round trip. */
export type Approver = (request: ApprovalRequest) => Promise<ApprovalDecision>;

export const approveAll: Approver = async () => ({
  decision: 'approved',
  by: 'local:approve-all',
  at: new Date().toISOString(),
});
export const approveNone: Approver = async () => ({
  decision: 'denied',
  by: 'local:approve-none',
  at: new Date().toISOString(),
});

export interface TicketRequest {
  incidentKey: string;
  playbook: string;
  reason: string;
  finding: unknown;
  steps: unknown;
  skipped: unknown;
  results: Record<string, unknown>;
  approvalStatus: string;
  dryRun: boolean;
}

export interface EscalationRequest {
  reason: 'step-failed' | 'approval-expired';
  incidentKey: string;
  playbook: string;
  failure?: { Error?: string; Cause?: string } | null;
  actions?: string[];
  finding: unknown;
  results: unknown;
}

export interface Ticket {
  id: string;
  incidentKey: string;
  title: string;
  comments: string[];
}

/** Tickets and pages kept in memory: one ticket per incident, later events comment on it. */
export class MemoryTicketDesk {
  readonly tickets = new Map<string, Ticket>();
  readonly pages: EscalationRequest[] = [];

  openTicket(request: TicketRequest): { ticketId: string; created: boolean; dryRun: boolean } {
    const existing = this.tickets.get(request.incidentKey);
    const summary = `${request.playbook}: ${request.reason} (approval ${request.approvalStatus})`;
    if (request.dryRun)
      return { ticketId: existing?.id ?? 'dry-run', created: false, dryRun: true };
    if (existing) {
      existing.comments.push(summary);
      return { ticketId: existing.id, created: false, dryRun: false };
    }
    const ticket = {
      id: `LOCAL-${this.tickets.size + 1}`,
      incidentKey: request.incidentKey,
      title: summary,
      comments: [],
    };
    this.tickets.set(request.incidentKey, ticket);
    return { ticketId: ticket.id, created: true, dryRun: false };
  }

  escalate(request: EscalationRequest): { paged: true; ticketId: string } {
    this.pages.push(request);
    const what =
      request.reason === 'approval-expired'
        ? `approval for ${request.actions?.join(', ')} expired: denied by default, on-call paged`
        : `step failed: ${request.failure?.Error}: ${request.failure?.Cause}; on-call paged`;
    const ticket = this.tickets.get(request.incidentKey);
    if (ticket) {
      ticket.comments.push(what);
      return { paged: true, ticketId: ticket.id };
    }
    const created = {
      id: `LOCAL-${this.tickets.size + 1}`,
      incidentKey: request.incidentKey,
      title: what,
      comments: [],
    };
    this.tickets.set(request.incidentKey, created);
    return { paged: true, ticketId: created.id };
  }
}
