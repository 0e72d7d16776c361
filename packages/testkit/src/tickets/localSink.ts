import type { TicketRef, TicketSink, TicketUpdate } from '@tourniquet/tickets';

export interface LocalTicket {
  id: string;
  title: string;
  state: 'open' | 'acknowledged' | 'resolved';
  comments: string[];
  pages: string[];
  report: string;
}

/**
 * The default local "ticket system": tickets numbered LOCAL-1, LOCAL-2… in memory, so a plain
 * replay prints the same ticket ids as before while the incident store and the ticket service
 * run for real. It "pages" the terminal: escalations are recorded as pages.
 */
export class LocalSink implements TicketSink {
  readonly name = 'local';
  readonly pages = true;
  readonly acknowledges = true;
  readonly tickets = new Map<string, LocalTicket>();

  async find(): Promise<TicketRef | null> {
    return null;
  }

  async open(subject: { title: string }, document: { report: string }) {
    const id = `LOCAL-${this.tickets.size + 1}`;
    this.tickets.set(id, {
      id,
      title: subject.title,
      state: 'open',
      comments: [],
      pages: [],
      report: document.report,
    });
    return { ref: { id, apiId: id, url: null }, notes: [] };
  }

  async comment(ref: TicketRef, _subject: unknown, update: TicketUpdate) {
    this.ticket(ref).comments.push(update.text);
    return [];
  }

  async page(ref: TicketRef, _subject: unknown, update: TicketUpdate) {
    this.ticket(ref).pages.push(update.text);
    return [];
  }

  async acknowledge(ref: TicketRef) {
    this.ticket(ref).state = 'acknowledged';
    return [];
  }

  async resolve(
    ref: TicketRef,
    _subject: unknown,
    update: TicketUpdate,
    document: { report: string },
  ) {
    const ticket = this.ticket(ref);
    ticket.comments.push(update.text);
    ticket.report = document.report;
    ticket.state = 'resolved';
    return [];
  }

  private ticket(ref: TicketRef): LocalTicket {
    const ticket = this.tickets.get(ref.id);
    if (!ticket) throw new Error(`no local ticket ${ref.id}`);
    return ticket;
  }
}
