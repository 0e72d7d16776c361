export { type AppliedEvents, applyEvents, higherSeverity, inForceAfter } from './applyEvents';
export { describeEvent } from './describeEvent';
export {
  IncidentBusyError,
  IncidentStoreError,
  IncidentTransitionError,
  IncidentVersionConflictError,
} from './errors';
export type {
  ChangeMeta,
  IncidentEvent,
  IncidentEventType,
  RecordedOutcome,
  TicketOperation,
} from './incidentEvents';
export type * from './incidentRecord';
export {
  canTransition,
  INCIDENT_STATUSES,
  type IncidentStatus,
  isIncidentStatus,
} from './incidentStatus';
export type { IncidentListFilter, IncidentStore } from './incidentStore';
export { MemoryIncidentStore } from './memoryIncidentStore';
export { CLAIM_LEASE_SECONDS, executionToJoin } from './runningExecution';
export { type UpdateOptions, updateIncident } from './updateIncident';
