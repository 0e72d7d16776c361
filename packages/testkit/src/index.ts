export {
  DYNAMODB_FAULT_KINDS,
  FAULT_KINDS,
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  startFaultProxy,
} from './emulators/faultProxy';
export {
  MOTO_DYNAMODB_PATCHES,
  type MotoServer,
  MotoUnavailableError,
  type StartMotoOptions,
  startMoto,
  useMotoTemplates,
} from './emulators/moto';
export { pinToAccount } from './emulators/motoAccounts';
export {
  MOTO_REQUIREMENT,
  type MotoPythonOptions,
  motoPython,
  projectVenvDir,
} from './emulators/motoPython';
export { type StsGateway, type StsGatewayOptions, startStsGateway } from './emulators/stsGateway';
export {
  DEFAULT_SCENARIO,
  LOCAL_CREDENTIALS,
  LocalWorld,
  type LocalWorldOptions,
  SCENARIO_SCHEMA,
} from './localWorld';
export { asFunction, invokedFunction } from './playbooks/invokedFunction';
export {
  ExecutionAlreadyExistsError,
  LocalPlaybookStarter,
} from './playbooks/localPlaybookStarter';
export {
  type Approver,
  approveAll,
  approveNone,
  MemoryTicketDesk,
} from './playbooks/localServices';
export {
  type LocalExecution,
  type LocalPlaybookDeps,
  runPlaybookLocally,
  type TimelineEntry,
} from './playbooks/runPlaybook';
export type { ReplayState } from './replay/describeState';
export { type ApproverFactory, type EventInput, type ReplayOptions, replay } from './replay/replay';
export type { ReplayRecord } from './replay/replayRecord';
export { type EventFact, eventFacts } from './scenario/eventFacts';
export { type KubeObject, kubeObjectsFor } from './scenario/kubeObjects';
export { type EventMatch, matchEvents } from './scenario/matchEvents';
export {
  loadScenario,
  parseScenario,
  parseScenarioText,
  type Scenario,
  type ScenarioCluster,
} from './scenario/scenario';
export {
  type ScenarioDocument,
  scenarioFromEvents,
  scenarioYaml,
} from './scenario/scenarioFromEvents';
export {
  SCENARIO_SCHEMA_FILE,
  scenarioJsonSchema,
  scenarioJsonSchemaText,
} from './scenario/scenarioJsonSchema';
export { hubFunctionRoleArn, memberAccountsOf, seedAccountRoles } from './scenario/seedAccounts';
export {
  type DeploymentSeedOptions,
  homeRegionOf,
  seedDeployment,
} from './scenario/seedDeployment';
export { type SeededCluster, type SeededScenario, seedScenario } from './scenario/seedScenario';
export { type DecisionEndpointServer, startDecisionEndpoint } from './slack/decisionEndpointServer';
export { InProcessTaskCompleter, type TaskCompletion } from './slack/inProcessTaskCompleter';
export {
  createSlackApprover,
  LOCAL_APPROVALS_TABLE,
  type SlackApproverHandle,
  type SlackApproverOptions,
} from './slack/slackApprover';
export { LocalSink, type LocalTicket } from './tickets/localSink';
export {
  LOCAL_TICKET_SINKS,
  type LocalTicketing,
  type LocalTicketingOptions,
  type LocalTicketSink,
  parseTicketSinks,
  startLocalTicketing,
} from './tickets/localTicketing';
