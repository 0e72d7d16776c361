export { createSinks, type SecretReader, type SinkDependencies } from './createSinks';
export * from './errors';
export { csvField, INCIDENT_CSV_COLUMNS, incidentsCsv } from './export/incidentCsv';
export {
  findingSeenEvent,
  incidentPlan,
  openedEvent,
  recordedOutcomes,
  sightingOf,
  subjectOf,
} from './findingEvents';
export { IncidentApprovals, type IncidentApprovalsOptions } from './incidentApprovals';
export {
  type IncidentRecordingOptions,
  IncidentRecordingStarter,
} from './incidentRecordingStarter';
export { type AdfDocument, textToAdf } from './jira/adf';
export { JiraSink } from './jira/jiraSink';
export { jiraDocument, jiraSummary } from './jira/jiraText';
export * as markdown from './markdown';
export { dedupKey, PagerDutySink } from './pagerDuty/pagerDutySink';
export { pagerDutyDetails, pagerDutyField, pagerDutySummary } from './pagerDuty/pagerDutyText';
export { renderIncidentReport } from './renderIncidentReport';
export { plainText, TRUNCATION_MARK } from './sanitise/plainText';
export {
  defaultProductArn,
  guardDutyProductArn,
  incidentFinding,
  incidentFindingId,
} from './securityHub/incidentFinding';
export { securityHubClients } from './securityHub/securityHubClients';
export { SecurityHubSink } from './securityHub/securityHubSink';
export {
  securityHubDescription,
  securityHubField,
  securityHubTitle,
} from './securityHub/securityHubText';
export { ServiceNowSink } from './serviceNow/serviceNowSink';
export { serviceNowShortText, serviceNowText } from './serviceNow/serviceNowText';
export { stableId } from './stableId';
export { statusAfterRun } from './statusAfterRun';
export { type SyncPlan, type SyncResult, syncSink } from './syncSink';
export {
  escalationRequestSchema,
  type ParsedEscalationRequest,
  type ParsedTicketRequest,
  parseApprovalRequest,
  parseEscalationRequest,
  parseTicketRequest,
  type TicketFinding,
  ticketFindingSchema,
  ticketRequestSchema,
} from './ticketRequest';
export { TicketService, type TicketServiceOptions } from './ticketService';
export * from './ticketSettings';
export {
  SINK_NAMES,
  type SinkName,
  type TicketDocument,
  type TicketRef,
  type TicketSink,
  type TicketSubject,
  type TicketUpdate,
} from './ticketSink';
export { ticketRefOf, ticketSubject } from './ticketSubject';
