export { APPROVAL_TABLE, approvalKey, createApprovalTable } from './approvalTable';
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
export { StepFunctionsTaskCompleter } from './stepFunctionsTaskCompleter';
export { KmsTaskTokenSealer, plainTaskTokens, type TaskTokenSealer } from './taskTokenSealer';
