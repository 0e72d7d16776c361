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
  resolved?: Record<
    string,
    { action: string; resolved: string | null; detail: string; impact?: string }
  >;
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

/**
 * `$.failures` keys of the Tasks that are not plan steps (a plan step's key is its `stepKey`).
 * Every key reads back as a step name in kebab case (`requestApproval` → `request-approval`).
 */
export const FAILURE_KEYS = {
  approval: 'requestApproval',
  page: 'pageOnCall',
  runSteps: 'runSteps',
  ticket: 'openTicket',
} as const;

/** `{Error, Cause}` of a failed Task, as Step Functions' Catch records it. */
export interface StepFailure {
  Error?: string;
  Cause?: string;
}

/** The failed steps of `$.failures`, named like the plan's actions, in recording order. */
export function failedSteps(
  failures: Record<string, StepFailure | null | undefined> | null | undefined,
): Array<{ step: string; error: string; cause: string }> {
  return Object.entries(failures ?? {})
    .filter(([, f]) => f)
    .map(([key, f]) => ({
      step: key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      error: f?.Error ?? 'Error',
      cause: f?.Cause ?? 'no cause given',
    }));
}

/**
 * Input of the ticket Tasks: "Open ticket" (`phase: start`, as the steps start: the ticket is
 * created, or the page goes out) and "Update ticket" (`phase: end`, what every step did).
 */
export interface TicketRequest {
  /** Absent means `end` (the shape before the opening ticket existed). */
  phase?: 'start' | 'end';
  incidentKey: string;
  playbook: string;
  reason: string;
  finding: unknown;
  steps: unknown;
  skipped: unknown;
  /** Outcome of each step that ran, by step key. */
  results: Record<string, unknown>;
  /** By step key: the steps that failed for good (recorded, the playbook went on). */
  failures?: Record<string, StepFailure>;
  approvalStatus: string;
  dryRun: boolean;
}

export interface TicketResult {
  ticketId: string;
  created: boolean;
  dryRun: boolean;
}

/**
 * Why on-call is paged: steps failed (once, at the end), an approval expired, or a step condition
 * held (`pod-not-isolated`: isolate-pod found nothing that cuts the pod; sent at once).
 */
export const ESCALATION_REASONS = ['step-failed', 'approval-expired', 'pod-not-isolated'] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/**
 * Input of the escalation Tasks: steps failed (sent once, at the end of the playbook, naming
 * every failed step), an approval expired, or the pod is NOT isolated.
 */
export interface EscalationRequest {
  reason: EscalationReason;
  incidentKey: string;
  playbook: string;
  /** By step key, `{Error, Cause}` of every step that failed (Step Functions' Catch output). */
  failures?: Record<string, StepFailure> | null;
  /** A single failure, as executions started before `failures` existed send it. */
  failure?: StepFailure | null;
  actions?: string[];
  /** The plan's steps: for a condition, what follows it (the steps with that `onlyIf`). */
  steps?: Array<{ action: string; target: string; onlyIf?: string }>;
  finding: unknown;
  results: unknown;
}

export interface EscalationResult {
  paged: boolean;
  ticketId: string;
}
