export {
  type FunctionUrlEvent,
  type FunctionUrlHandler,
  type FunctionUrlResult,
  functionUrlEventFor,
  normaliseResult,
} from './slack/functionUrlEvent';
export {
  type ClickAnswer,
  type ClickOptions,
  type DecisionEndpoint,
  deliverInteraction,
  interactionPayload,
  type SignedInteraction,
  signInteraction,
} from './slack/interactionClick';
export type {
  SimulatedCall,
  SimulatedEphemeral,
  SimulatedMessage,
} from './slack/simulatedMessages';
export {
  type SlackSimulator,
  type SlackSimulatorOptions,
  startSlackSimulator,
} from './slack/slackSimulator';
export type { SimulatedUser, SimulatedWorkspace } from './slack/slackWorkspace';
export {
  basicCredentials,
  type HttpSimulator,
  type RecordedRequest,
  SimulatedHttpError,
  startHttpSimulator,
} from './tickets/httpSimulator';
export {
  JIRA_SIMULATOR_CREDENTIALS,
  type JiraIssue,
  type JiraSimulator,
  startJiraSimulator,
} from './tickets/jiraSimulator';
export {
  PAGERDUTY_SIMULATOR_ROUTING_KEY,
  type PagerDutyAlert,
  type PagerDutySimulator,
  startPagerDutySimulator,
} from './tickets/pagerDutySimulator';
export {
  SERVICENOW_SIMULATOR_CREDENTIALS,
  type ServiceNowAttachment,
  type ServiceNowIncident,
  type ServiceNowSimulator,
  startServiceNowSimulator,
} from './tickets/serviceNowSimulator';
