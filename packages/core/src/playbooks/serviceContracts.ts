/**
 * What the playbooks send to, and expect from, the non-action functions: the approval request
 * (waitForTaskToken), the ticket step and the escalation path. The deployed functions (Slack,
 * ticket systems, paging) and the local runtime implement these same shapes.
 */

/** Payload of the approval Task (`lambda:invoke.waitForTaskToken`). */
export interface ApprovalRequest {
  taskToken: string;
  /** `$$.Execution.Id`: whose history settles a decision whose delivery is in doubt. */
  executionArn?: string;
  incidentKey: string;
  playbook: string;
  /** The destructive steps waiting for this one decision. */
  actions: string[];
  /** The plan's steps (action, rendered target, dry-run), so the request can name targets. */
  steps?: Array<{ action: string; target: string; dryRun: boolean }>;
  /**
   * By step key: what each step needing approval resolved to just before the request (the
   * action's `resolve` mode): the concrete role ARN, instance or ENIs, or null when it would
   * be skipped (with the reason in `detail`).
   */
  resolved?: Record<string, { action: string; resolved: string | null; detail: string }>;
  finding: unknown;
  /** Outcomes of the steps that already ran (what is already isolated, captured…). */
  results: unknown;
  expiresInSeconds: number;
}

/**
 * How the approval Task ends: SendTaskSuccess with an `approved` decision; SendTaskFailure with
 * error `ApprovalDenied`; no answer → the Task's TimeoutSeconds (`States.Timeout`).
 */
export type ApprovalDecision =
  | { decision: 'approved'; by: string; at: string }
  | { decision: 'denied'; by: string; at: string }
  | { decision: 'expired' };

export const APPROVAL_DENIED_ERROR = 'ApprovalDenied';

/** Name of the approval Task in every playbook; its history events settle doubtful deliveries. */
export const APPROVAL_STATE_NAME = 'Request approval';

/** Input of the ticket Task ("Open ticket"). */
export interface TicketRequest {
  incidentKey: string;
  playbook: string;
  reason: string;
  finding: unknown;
  steps: unknown;
  skipped: unknown;
  /** Outcome of each step that ran, by step key. */
  results: Record<string, unknown>;
  approvalStatus: string;
  dryRun: boolean;
}

export interface TicketResult {
  ticketId: string;
  created: boolean;
  dryRun: boolean;
}

/** Input of the escalation Tasks: a step failed, or an approval expired. */
export interface EscalationRequest {
  reason: 'step-failed' | 'approval-expired';
  incidentKey: string;
  playbook: string;
  /** `{Error, Cause}` of the failed step (Step Functions' Catch output). */
  failure?: { Error?: string; Cause?: string } | null;
  actions?: string[];
  finding: unknown;
  results: unknown;
}

export interface EscalationResult {
  paged: boolean;
  ticketId: string;
}
