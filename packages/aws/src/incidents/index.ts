export { createDynamoIncidentStore, DynamoIncidentStore } from './dynamoIncidentStore';
export {
  ensureIncidentTable,
  INCIDENT_ITEM,
  INCIDENT_TABLE,
  idempotencyPersistenceOptions,
  incidentPartition,
  incidentTableDefinition,
  sequenceKey,
} from './incidentTable';
