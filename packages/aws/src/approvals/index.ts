export { assertApprovalId, isApprovalId, newApprovalId } from './approvalId';
export {
  approvedBy,
  type Choice,
  type NextStep,
  nextStep,
  personKey,
  requiredApprovalsFor,
} from './approvalRules';
export { APPROVAL_TABLE, approvalKey, createApprovalTable } from './approvalTable';
export * from './approvalTypes';
export { type ApproverPeople, personOf } from './approverPeople';
export {
  approverPatternProblem,
  authoriseAwsCallerArn,
  awsPrincipalOf,
  type CallerAuthorisation,
  matchesApproverArn,
} from './awsCallerAuthorisation';
export {
  type DecisionAttempt,
  type DecisionDeps,
  type DecisionResult,
  decideApproval,
  type RecordedDecision,
} from './decideApproval';
export {
  DECISION_HEADER,
  decisionBinding,
  PROOF_EXPIRES_SECONDS,
  type PresignDecisionOptions,
  presignDecision,
  type VerifyProofOptions,
  verifyDecisionProof,
} from './decisionProof';
export {
  DEFAULT_RETENTION_DAYS,
  DynamoApprovalStore,
  type DynamoApprovalStoreOptions,
  type NewApproval,
} from './dynamoApprovalStore';
export {
  ApprovalError,
  DecisionProofError,
  InvalidApprovalIdError,
  TaskCompletionError,
  TaskGoneError,
} from './errors';
export { StepFunctionsTaskCompleter } from './stepFunctionsTaskCompleter';
export type { ApprovalTaskOutcome, TaskCompleter } from './taskCompleter';
export { KmsTaskTokenSealer, plainTaskTokens, type TaskTokenSealer } from './taskTokenSealer';
