import { createOpenTicketHandler } from './lib/ticketHandlers';
import { ticketServiceFromEnv } from './lib/ticketRuntime';

/** Opens or updates the incident's tickets (one per sink) and records the run on the incident. */
export const handler = createOpenTicketHandler(ticketServiceFromEnv('open-ticket'));
