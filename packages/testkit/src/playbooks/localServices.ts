import {
  type ApprovalDecision,
  type ApprovalRequest,
  conditionPageText,
  type EscalationRequest,
  type EscalationResult,
  failedSteps,
  type TicketRequest,
  type TicketResult,
} from '@tourniquet/core';

/**
 * The non-action functions a playbook calls — approval, ticket, escalation — as the local runtime
 * provides them. The deployed versions implement the same contracts (core's serviceContracts).
 */
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

/** What the playbook's ticket and escalation Tasks call (local desk, ticket sinks, …). */
export interface TicketDesk {
  openTicket(request: TicketRequest): TicketResult | Promise<TicketResult>;
  escalate(request: EscalationRequest): EscalationResult | Promise<EscalationResult>;
}

export interface Ticket {
  id: string;
  incidentKey: string;
  title: string;
  comments: string[];
}

/** Tickets and pages kept in memory: one ticket per incident, later events comment on it. */
export class MemoryTicketDesk implements TicketDesk {
  readonly tickets = new Map<string, Ticket>();
  readonly pages: EscalationRequest[] = [];

  openTicket(request: TicketRequest): TicketResult {
    const existing = this.tickets.get(request.incidentKey);
    const summary =
      request.phase === 'start'
        ? `${request.playbook} started: ${request.reason}`
        : `${request.playbook}: ${request.reason} (approval ${request.approvalStatus})`;
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

  escalate(request: EscalationRequest): EscalationResult {
    this.pages.push(request);
    const failed = failedSteps(
      request.failures ?? (request.failure ? { step: request.failure } : {}),
    );
    const what =
      request.reason === 'approval-expired'
        ? `approval for ${request.actions?.join(', ')} expired: denied by default, on-call paged`
        : request.reason === 'pod-not-isolated'
          ? conditionPageText(
              request.reason,
              request.results as Parameters<typeof conditionPageText>[1],
              request.steps,
            )
          : `steps failed: ${failed.map((f) => `${f.step} (${f.error}: ${f.cause})`).join('; ')}; on-call paged`;
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
