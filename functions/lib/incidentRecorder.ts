import { TicketService } from '@tourniquet/tickets';
import { incidentStoreFromEnv } from './incidentRuntime';

/**
 * The ticket service with no sinks: what the approval functions use to put requests and
 * decisions on the incident record (tickets are the ticket step's business).
 */
export function incidentRecorder(actor: string): TicketService {
  return new TicketService({ store: incidentStoreFromEnv(), sinks: [], actor });
}
