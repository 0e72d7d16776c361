export { FileIncidentStore, incidentsFile } from './fileIncidentStore';
export { formatIncidentList, incidentSummaryJson } from './formatIncidents';
export {
  basicCredentials,
  type HttpSimulator,
  type RecordedRequest,
  SimulatedHttpError,
  startHttpSimulator,
} from './httpSimulator';
export {
  JIRA_SIMULATOR_CREDENTIALS,
  type JiraIssue,
  type JiraSimulator,
  startJiraSimulator,
} from './jiraSimulator';
export { LocalSink, type LocalTicket } from './localSink';
export {
  LOCAL_TICKET_SINKS,
  type LocalTicketing,
  type LocalTicketingOptions,
  type LocalTicketSink,
  parseTicketSinks,
  startLocalTicketing,
} from './localTicketing';
export {
  PAGERDUTY_SIMULATOR_ROUTING_KEY,
  type PagerDutyAlert,
  type PagerDutySimulator,
  startPagerDutySimulator,
} from './pagerDutySimulator';
export {
  SERVICENOW_SIMULATOR_CREDENTIALS,
  type ServiceNowAttachment,
  type ServiceNowIncident,
  type ServiceNowSimulator,
  startServiceNowSimulator,
} from './serviceNowSimulator';
