import { createHash } from 'node:crypto';
import type { ActionName } from './actions';
import type { Finding } from './finding';
import { RELEASE_ACTIONS } from './playbooks/definitions';
import type { StepFailure } from './playbooks/serviceContracts';
import { stepKey } from './playbooks/stepKey';
import type { Plan } from './policy/plan';
import type { StepCondition } from './policy/stepConditions';
import { renderTarget, type Target } from './policy/target';

/** One hour: a finding re-published within the window joins the running execution. */
export const DEFAULT_EXECUTION_WINDOW_SECONDS = 3600;

export interface StartedPlaybook {
  /**
   * `duplicate`: an execution for this incident and window exists; the incident is updated. That
   * covers both answers StartExecution gives for an existing name: ExecutionAlreadyExists, and
   * success with the original start date (same name and input while it runs).
   */
  status: 'started' | 'duplicate';
  executionName: string;
  executionArn: string | null;
}

/** Starts the playbook execution for a plan. One implementation per runtime (AWS, local). */
export interface PlaybookStarter {
  start(plan: Plan, at: Date): Promise<StartedPlaybook>;
}

const NAME_LIMIT = 80;

/**
 * Whether a successful StartExecution returned an execution that was already running: a Standard
 * workflow answers a repeat with the same name and input with success and the original
 * `startDate`, which is then earlier than the request. `toleranceMs` absorbs clock skew between
 * the caller and Step Functions, so a fresh start is never taken for a repeat.
 */
export function isIdempotentRepeat(
  startDate: Date | undefined,
  sentAt: Date,
  toleranceMs: number,
): boolean {
  return startDate !== undefined && startDate.getTime() < sentAt.getTime() - toleranceMs;
}

/**
 * Step Functions execution name for an incident and time window: at most 80 characters of
 * `[A-Za-z0-9_-]`, readable prefix, and a hash of the full key so truncation never merges two
 * incidents. The same key in the same window always yields the same name, which is what makes
 * StartExecution the de-duplication point.
 */
export function executionName(
  incidentKey: string,
  at: Date,
  windowSeconds = DEFAULT_EXECUTION_WINDOW_SECONDS,
): string {
  const window = Math.floor(at.getTime() / 1000 / windowSeconds);
  const hash = createHash('sha256').update(incidentKey).digest('hex').slice(0, 12);
  const suffix = `-${hash}-${window}`;
  const readable = incidentKey.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${readable.slice(0, NAME_LIMIT - suffix.length)}${suffix}`;
}

/** One plan step as a playbook reads it (`$.actions.<key>`). */
export interface PlaybookStep {
  action: ActionName;
  target: string;
  subject: Target;
  approval: 'auto' | 'required';
  dryRun: boolean;
  /** Runs only when the condition holds (read from an earlier step's result). */
  onlyIf?: StepCondition;
}

/** What a playbook execution receives: the plan, keyed for JSONPath Choice states. */
export interface PlaybookInput {
  incidentKey: string;
  playbook: NonNullable<Plan['playbook']> | 'release';
  reason: string;
  steps: Plan['steps'];
  skipped: Plan['skipped'];
  finding: Omit<Finding, 'raw'>;
  /** The plan's steps by `stepKey(action)`; a missing key means the plan skips that action. */
  actions: Record<string, PlaybookStep>;
  /**
   * The one approval the plan needs, for every step with approval `required` that always runs;
   * a conditional step (`onlyIf`) is asked for on its own, once its condition holds.
   */
  approval: { required: boolean; actions: ActionName[] };
  /** Filled in by the execution. */
  results: Record<string, unknown>;
  /** The concrete targets of the steps needing approval, resolved before the request. */
  resolved: Record<string, unknown>;
  approvalStatus: 'not-needed' | 'approved' | 'denied' | 'timed-out' | 'failed';
  approvalDecision: unknown;
  failure: unknown;
  /** By step key: the steps that failed for good; the others still ran. */
  failures: Record<string, StepFailure>;
  /** The opening ticket's result (or its error: the closing update creates it then). */
  ticket: unknown;
  /** The closing ticket update's result. */
  ticketUpdate: unknown;
  /** The page sent when the approval expired. */
  escalation: unknown;
  /** Pages sent when a step condition held (`podNotIsolated`: the pod is NOT isolated). */
  pages: Record<string, unknown>;
  /** By step key: the decision on a conditional step's own approval request. */
  conditionalApprovals: Record<string, unknown>;
}

export function playbookInput(plan: Plan): PlaybookInput {
  if (!plan.playbook) throw new Error(`incident ${plan.incidentKey} has no playbook to start`);
  const { raw: _raw, ...finding } = plan.finding;
  return executionInput(
    plan.incidentKey,
    plan.playbook,
    plan.reason,
    finding,
    plan.steps,
    plan.skipped,
  );
}

/**
 * Input for `release`: which actions to undo, behind an approval. It only chooses which undo
 * Tasks run and what the approval request lists: each undo restores what its action's journal
 * recorded for the incident, never anything from this input. The ticket step is included so
 * the incident's ticket records the release.
 */
export function releaseInput(
  incidentKey: string,
  finding: Omit<Finding, 'raw'>,
  applied: ReadonlyArray<{ action: ActionName; subject: Target }>,
): PlaybookInput {
  const steps = applied.map(({ action, subject }) => ({
    action,
    subject,
    target: renderTarget(subject),
    approval: 'required' as const,
    dryRun: false,
  }));
  const ticket = {
    action: 'open-ticket' as const,
    subject: { kind: 'incident' as const, key: incidentKey },
  };
  const input = executionInput(
    incidentKey,
    'release',
    'release the quarantine',
    finding,
    [
      ...steps,
      { ...ticket, target: renderTarget(ticket.subject), approval: 'auto', dryRun: false },
    ],
    [],
  );
  return { ...input, approval: { required: true, actions: applied.map((a) => a.action) } };
}

function executionInput(
  incidentKey: string,
  playbook: PlaybookInput['playbook'],
  reason: string,
  finding: Omit<Finding, 'raw'>,
  steps: Plan['steps'],
  skipped: Plan['skipped'],
): PlaybookInput {
  const actions: Record<string, PlaybookStep> = {};
  for (const step of steps) actions[stepKey(step.action)] = { ...step };
  const needing = steps.filter((s) => s.approval === 'required' && !s.onlyIf).map((s) => s.action);
  return {
    incidentKey,
    playbook,
    reason,
    steps,
    skipped,
    finding,
    actions,
    approval: { required: needing.length > 0, actions: needing },
    results: {},
    resolved: {},
    approvalStatus: 'not-needed',
    approvalDecision: null,
    failure: null,
    failures: {},
    ticket: null,
    ticketUpdate: null,
    escalation: null,
    pages: {},
    conditionalApprovals: {},
  };
}

/**
 * What a finished containment execution can undo, in the shape `releaseInput` takes: every step
 * whose result references a journal entry (applied, or found already applied by an earlier
 * attempt whose answer was lost).
 */
export function releasableSteps(
  output: Pick<PlaybookInput, 'actions' | 'results'>,
): Array<{ action: ActionName; subject: Target }> {
  const steps: Array<{ action: ActionName; subject: Target }> = [];
  for (const [key, step] of Object.entries(output.actions)) {
    const result = output.results[key] as { undo?: unknown } | undefined;
    if (result?.undo !== null && result?.undo !== undefined) {
      steps.push({ action: step.action, subject: step.subject });
    }
  }
  return steps;
}

/**
 * What a release can undo, from the step journal (the records actions wrote before changing
 * anything): every entry not yet released. This is how an operator's release finds its steps;
 * the undo Tasks read the same journal themselves.
 */
export function releasableFromJournal(
  entries: ReadonlyArray<{ action: string; subject: unknown; releasedAt: string | null }>,
): Array<{ action: ActionName; subject: Target }> {
  return entries
    .filter((e) => !e.releasedAt && (RELEASE_ACTIONS as readonly string[]).includes(e.action))
    .map((e) => ({ action: e.action as ActionName, subject: e.subject as Target }));
}
