/**
 * `@tourniquet/local/testkit`: the Slack side of the local world for tests and benchmarks — the
 * Slack Web API simulator, the decision endpoints served over HTTP, and signed button clicks.
 */
export {
  type DecisionEndpointServer,
  startDecisionEndpoint,
} from './slack/decisionEndpointServer';
export type {
  FunctionUrlEvent,
  FunctionUrlHandler,
  FunctionUrlResult,
} from './slack/functionUrlEvent';
export {
  InProcessTaskCompleter,
  type TaskCompletion,
} from './slack/inProcessTaskCompleter';
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
