import type { IncidentHead } from '@tourniquet/core';
import type { TicketRef, TicketSubject } from './ticketSink';

export function ticketSubject(head: IncidentHead): TicketSubject {
  return {
    key: head.key,
    id: head.id,
    title: `[Tourniquet] ${head.severity} ${head.title}`,
    severity: head.severity,
    status: head.status,
    account: head.account,
    region: head.region,
    cluster: head.cluster,
    subject: head.subject,
    createdAt: head.createdAt,
    sourceFindings: Object.values(head.findings).map((f) => ({
      id: f.id,
      type: f.type,
      securityHubId: f.securityHubId,
    })),
  };
}

/** The incident's ticket at a sink, when it has one. */
export function ticketRefOf(head: IncidentHead | null, sink: string): TicketRef | null {
  const ticket = head?.tickets[sink];
  if (!ticket?.ticketId || (ticket.state !== 'open' && ticket.state !== 'resolved')) return null;
  return { id: ticket.ticketId, apiId: ticket.apiId ?? ticket.ticketId, url: ticket.url };
}
