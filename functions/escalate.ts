import { createEscalateHandler } from './lib/ticketHandlers';
import { ticketServiceFromEnv } from './lib/ticketRuntime';

/** Pages on-call and records on the incident and its tickets what failed or expired. */
export const handler = createEscalateHandler(ticketServiceFromEnv('escalate'));
