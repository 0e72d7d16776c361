export * from './approvals/index';
export { type AwsClientOverrides, type AwsClients, createAwsClients } from './awsClients';
export { awsClientConfig } from './clientConfig';
export { type ClusterConnection, ClusterConnectionCache } from './clusterConnection';
export { ConfigRuleLookup, type ConfigRuleLookupOptions } from './configRuleLookup';
export { DynamoCapacityLedger } from './dynamoCapacityLedger';
export { EKS_TOKEN_PREFIX, type EksTokenOptions, eksToken } from './eksToken';
export * from './incidents/index';
export * from './journal/index';
export { type AwsClientClasses, lazyAwsClients } from './lazyAwsClients';
export {
  MemberCredentials,
  type MemberSession,
  memberCredentialsFrom,
} from './memberCredentials';
export { releaseFinding } from './release/releaseFinding';
export {
  type IncidentRelease,
  type IncidentReleaseDeps,
  RELEASE_WINDOW_SECONDS,
  startIncidentRelease,
} from './release/startIncidentRelease';
export { StepFunctionsPlaybookStarter } from './stepFunctionsPlaybookStarter';
export { parseDaemonAddress, parseTraceHeader, type TraceHeader } from './xray/traceHeader';
export { type SubsegmentDocument, XRayTracer, type XRayTracerOptions } from './xray/xrayTracer';
