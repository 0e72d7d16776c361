import { IncidentApprovals } from '@tourniquet/tickets/incidentApprovals';
import { incidentStoreFromEnv } from './incidentRuntime';

/**
 * What the approval functions use to put requests and decisions on the incident record
 * (tickets are the ticket step's business): the approval events alone, imported by its own
 * subpath so no ticket code reaches their cold start.
 */
export function incidentRecorder(actor: string): IncidentApprovals {
  return new IncidentApprovals({ store: incidentStoreFromEnv(), actor });
}
