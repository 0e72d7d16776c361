export { type AttemptAudit, auditAttempt } from './audit';
export { authoriseSlackUser, type SlackAuthorisation } from './authorise/authoriseSlackUser';
export { USER_GROUP_CACHE_MS, UserGroupCache } from './authorise/userGroupCache';
export {
  createSlackMessenger,
  type SlackMessenger,
  type SlackMessengerOptions,
} from './client/slackMessenger';
export {
  type DecisionRequestDeps,
  describeDecision,
  handleDecisionRequest,
} from './decision/handleDecisionRequest';
export {
  BodyTooLargeError,
  InteractionPayloadError,
  InvalidApprovalRequestError,
  SIGNATURE_PROBLEM,
  SignatureError,
  type SignatureProblem,
  SlackApprovalError,
  SlackCallError,
  SlackSecretError,
} from './errors';
export { ANSWER_STATUS, type Answer, httpAnswer } from './interaction/answers';
export { type FunctionUrlEvent, fromFunctionUrlEvent } from './interaction/functionUrlEvent';
export { slackInteractionsFunction } from './interaction/functionUrlHandler';
export {
  handleSlackInteraction,
  type InteractionDeps,
  type ReleaseOutcome,
  type ReleaseRequest,
} from './interaction/handleSlackInteraction';
export {
  type HttpRequest,
  type HttpResponse,
  MAX_BODY_BYTES,
  rawBody,
} from './interaction/httpRequest';
export {
  type ApprovalChoice,
  type ApprovalClick,
  type ClickChoice,
  parseInteraction,
} from './interaction/interactionPayload';
export { type ApprovalLog, silentLog } from './log';
export { ACTION_EFFECTS, actionEffect } from './message/actionDescriptions';
export {
  APPROVAL_ACTIONS,
  type ApprovalMessageOptions,
  approvalMessage,
  DECISION_BLOCK_ID,
  RELEASE_BLOCK_ID,
} from './message/approvalMessage';
export type { Block, Button, ConfirmDialog, SlackMessage, TextObject } from './message/blockKit';
export { BLOCK_LIMITS, blockLimitProblems } from './message/blockLimits';
export { consoleLink } from './message/consoleLink';
export { type FindingView, findingView } from './message/findingView';
export { type ContainmentFacts, containmentFacts, stepResults } from './message/stepResults';
export { type ParsedApprovalRequest, parseApprovalRequest } from './request/approvalRequestSchema';
export { type CloseExpiredDeps, closeExpiredApprovals } from './request/closeExpiredApprovals';
export {
  type RequestApprovalDeps,
  type RequestApprovalResult,
  requestApproval,
} from './request/requestApproval';
export {
  type ApprovalSettings,
  approvalSettingsFromConfig,
  approvalSettingsSchema,
  parseApprovalSettings,
  type SlackSettings,
  slackSettingsSchema,
} from './settings/approvalSettings';
export { parseSlackSecret, type SlackSecret } from './settings/slackSecret';
export { SLACK_SIGNATURE_VERSION, signSlackRequest } from './signing/signSlackRequest';
export {
  MAX_CLOCK_SKEW_SECONDS,
  MAX_SIGNATURE_AGE_SECONDS,
  type SignedRequest,
  verifySlackRequest,
} from './signing/verifySlackRequest';
export { codeText, escapeToFit, mrkdwnText, plainText, sanitise } from './text/slackText';
