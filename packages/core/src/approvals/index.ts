export { assertApprovalId, isApprovalId, newApprovalId } from './approvalId';
export {
  approvedBy,
  type Choice,
  type NextStep,
  nextStep,
  personKey,
  requiredApprovalsFor,
} from './approvalRules';
export type { ApprovalStore } from './approvalStore';
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
  ApprovalError,
  DecisionProofError,
  InvalidApprovalIdError,
  TaskCompletionError,
  TaskGoneError,
} from './errors';
export type { ApprovalTaskOutcome, TaskCompleter } from './taskCompleter';
