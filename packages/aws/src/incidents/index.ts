export { type AppliedEvents, applyEvents, inForceAfter } from './applyEvents';
export { describeEvent } from './describeEvent';
export { createDynamoIncidentStore, DynamoIncidentStore } from './dynamoIncidentStore';
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
export {
  ensureIncidentTable,
  INCIDENT_ITEM,
  INCIDENT_TABLE,
  idempotencyPersistenceOptions,
  incidentPartition,
  incidentTableDefinition,
  sequenceKey,
} from './incidentTable';
export { MemoryIncidentStore } from './memoryIncidentStore';
export { CLAIM_LEASE_SECONDS, executionToJoin } from './runningExecution';
export { type UpdateOptions, updateIncident } from './updateIncident';
