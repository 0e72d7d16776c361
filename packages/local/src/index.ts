export { approveCommand, type DecideOptions, denyCommand } from './cli/approveCommand';
export { incidentsCommand } from './cli/incidentsCommand';
export type { CliIo } from './cli/io';
export { EXIT, UsageError } from './cli/io';
export { main } from './cli/main';
export {
  FAULT_KINDS,
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  startFaultProxy,
} from './emulators/faultProxy';
export { freePort } from './emulators/freePort';
export { type MotoServer, MotoUnavailableError, startMoto } from './emulators/moto';
export { pinToAccount } from './emulators/motoAccounts';
export { type StsGateway, type StsGatewayOptions, startStsGateway } from './emulators/stsGateway';
export {
  type KubeSimulator,
  type KubeSimulatorOptions,
  startKubeSimulator,
} from './kube/kubeSimulator';
export { loadConfig } from './loadConfig';
export {
  DEFAULT_SCENARIO,
  LOCAL_CREDENTIALS,
  LocalWorld,
  type LocalWorldOptions,
} from './localWorld';
export { type PlanRecord, planEvent, toRecord } from './planEvent';
export { asFunction, invokedFunction } from './playbooks/invokedFunction';
export {
  ExecutionAlreadyExistsError,
  LocalPlaybookStarter,
} from './playbooks/localPlaybookStarter';
export * from './playbooks/localServices';
export {
  type LocalExecution,
  type LocalPlaybookDeps,
  runPlaybookLocally,
  type TimelineEntry,
} from './playbooks/runPlaybook';
export { readEventInputs } from './readEvents';
export type { ReplayState } from './replay/describeState';
export { type ApproverFactory, type ReplayOptions, replay } from './replay/replay';
export type { ReplayRecord } from './replay/replayRecord';
export { type KubeObject, kubeObjectsFor } from './scenario/kubeObjects';
export { loadScenario, parseScenario, type Scenario } from './scenario/scenario';
export {
  hubFunctionRoleArn,
  memberAccountsOf,
  seedAccountRoles,
} from './scenario/seedAccounts';
export { type SeededCluster, type SeededScenario, seedScenario } from './scenario/seedScenario';
export {
  createSlackApprover,
  LOCAL_APPROVALS_TABLE,
  type SlackApproverHandle,
  type SlackApproverOptions,
} from './slack/slackApprover';
export * from './tickets/index';
