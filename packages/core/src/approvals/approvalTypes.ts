/** What an approval is and what happened to it; the store, the Slack endpoint and the CLI share these. */

export const APPROVAL_STATUS = {
  pending: 'pending',
  approved: 'approved',
  denied: 'denied',
  expired: 'expired',
} as const;
export type ApprovalStatus = (typeof APPROVAL_STATUS)[keyof typeof APPROVAL_STATUS];

export const DECISION_CHANNEL = { slack: 'slack', cli: 'cli', system: 'system' } as const;
export type DecisionChannel = (typeof DECISION_CHANNEL)[keyof typeof DECISION_CHANNEL];

/** Someone who decided, identified by what the channel verified (never by a display name). */
export interface ApproverIdentity {
  /** Channel-prefixed and stable: `slack:U0123ABCD`, `aws:arn:aws:sts::…:assumed-role/OnCall/alice`. */
  id: string;
  /** Display name as the channel reported it; shown to people, never used to authorise. */
  name: string;
  channel: DecisionChannel;
  /**
   * Who this is for the two-person rule (`person:<name>`, `slack:U…`, `aws-role:…`): see
   * personOf. Absent on records written before it existed; the id stands in then.
   */
  person?: string;
}

export interface GivenApproval {
  approver: ApproverIdentity;
  at: string;
}

/** One step the request proposes, when the playbook passes them (action names otherwise). */
export interface ProposedStep {
  action: string;
  target: string | null;
  dryRun: boolean;
  /**
   * The concrete target resolved just before the request (role ARN, instance, ENIs): what an
   * approval approves. Null when the step would be skipped; absent when it was not resolved.
   */
  resolved?: string | null;
  /** Why it resolved to nothing, when it did not. */
  resolvedDetail?: string;
  /** Who else the step reaches (instances and pods sharing a role): shown with the request. */
  impact?: string;
}

/** What a step that already ran did, kept small: the message shows status and detail only. */
export interface StepResult {
  action: string;
  status: string;
  detail: string;
}

export interface ApprovalRecord {
  approvalId: string;
  incidentKey: string;
  playbook: string;
  actions: string[];
  steps: ProposedStep[];
  /** The finding as the playbook passed it (no raw event). */
  finding: unknown;
  results: StepResult[];
  status: ApprovalStatus;
  /** 2 when a proposed action is under the two-person rule. */
  requiredApprovals: number;
  approvals: GivenApproval[];
  createdAt: string;
  expiresAt: string;
  /** Who denied, or who gave the final approval. */
  decidedBy: ApproverIdentity | null;
  decidedAt: string | null;
  /** When Step Functions accepted the decision; null until then. */
  completedAt: string | null;
  expiredReason: string | null;
  message: { channel: string; ts: string } | null;
  /** Optimistic-concurrency counter: every change is conditional on it. */
  version: number;
  /** Present while the decision has not reached Step Functions; sealed (see TaskTokenSealer). */
  taskToken: string | null;
  /** The waiting execution (`$$.Execution.Id`): its history settles a decision whose delivery is in doubt. */
  executionArn: string | null;
}

/** Every attempt to request or decide, accepted or not, as recorded in the incident's audit trail. */
export const ATTEMPT_RESULT = {
  requested: 'requested',
  posted: 'posted',
  postFailed: 'post-failed',
  approved: 'approved',
  denied: 'denied',
  firstApproval: 'first-approval',
  badSignature: 'bad-signature',
  staleTimestamp: 'stale-timestamp',
  replayed: 'replayed',
  tooLarge: 'too-large',
  malformed: 'malformed',
  unknownApproval: 'unknown-approval',
  unauthorised: 'unauthorised',
  alreadyDecided: 'already-decided',
  repeatApprover: 'repeat-approver',
  expired: 'expired',
  unavailable: 'unavailable',
  /** A Release click started the release playbook (or joined the one started minutes ago). */
  releaseRequested: 'release-requested',
  /** A Release click for an incident with no containment recorded as in force. */
  nothingToRelease: 'nothing-to-release',
  /** A Release click on a message whose own decision is still pending, or on a release. */
  releaseRefused: 'release-refused',
} as const;
export type AttemptResult = (typeof ATTEMPT_RESULT)[keyof typeof ATTEMPT_RESULT];

const ACCEPTED: ReadonlySet<AttemptResult> = new Set([
  ATTEMPT_RESULT.requested,
  ATTEMPT_RESULT.posted,
  ATTEMPT_RESULT.approved,
  ATTEMPT_RESULT.denied,
  ATTEMPT_RESULT.firstApproval,
  ATTEMPT_RESULT.releaseRequested,
]);

export function isAccepted(result: AttemptResult): boolean {
  return ACCEPTED.has(result);
}

export interface AuditEntry {
  at: string;
  /** Null when the attempt could not be tied to an approval (bad signature, unknown id). */
  incidentKey: string | null;
  approvalId: string | null;
  channel: DecisionChannel;
  /** Verified identity of whoever tried; null when nothing about them could be trusted. */
  actor: ApproverIdentity | null;
  /** `release`: a Release click, which requests a release approval and decides nothing. */
  choice: 'approve' | 'deny' | 'release' | null;
  result: AttemptResult;
  outcome: 'accepted' | 'rejected';
  detail: string;
  sourceIp: string | null;
  requestId: string | null;
}
