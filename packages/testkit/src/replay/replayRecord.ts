import { CONTAINING_ACTIONS, type Plan, STEP_CONDITIONS, stepKey } from '@tourniquet/core';
import type { LocalExecution } from '../playbooks/runPlaybook';
import type { ReplayState } from './describeState';

export type StepStatus = 'applied' | 'skipped' | 'dry-run' | 'denied' | 'failed';

/** The `replay --json` line for one event. */
export interface ReplayRecord {
  file: string;
  eventId: string | null;
  incidentKey: string;
  /** `release`: a release after the events (`replay --release`); `file` is then `release KEY`. */
  playbook: Plan['playbook'] | 'release';
  /** DENIED: approval was refused or expired, so the destructive steps did not run. */
  status: 'SUCCEEDED' | 'FAILED' | 'DENIED';
  reason: string;
  /** The execution this event joined instead of starting one (a repeat for the same incident). */
  joined: string | null;
  /**
   * Every planned step, in plan order. `startedMs`: event in → the step's Task first entered
   * (for open-ticket, the opening ticket), null when it never ran; it shows the order the steps
   * really ran in, the approval branch and the automatic steps overlapping.
   */
  actions: Array<{
    action: string;
    status: StepStatus;
    detail: string;
    durationMs: number | null;
    startedMs: number | null;
  }>;
  /**
   * Event in → first containing step (core's CONTAINING_ACTIONS: isolation, revocation or the
   * configuration fix) done, in ms; null when none ran.
   */
  containmentMs: number | null;
  durationMs: number;
  state: ReplayState | null;
}

const CONTAINMENT: ReadonlySet<string> = new Set(CONTAINING_ACTIONS);

/** The suffix of a step's Task run after approval, or as an escalation (`isolate-node (escalated)`). */
const RUN_SUFFIX = / \((approved|escalated|undo)\)$/;

/** Turns a local execution into per-step statuses, timings and the overall status. */
export function summarise(plan: Plan, execution: LocalExecution, startedAt: number) {
  const output = execution.output;
  const results = (output?.results ?? {}) as Record<
    string,
    { status?: string; detail?: string } | undefined
  >;
  const failures = output?.failures ?? {};
  const approval = output?.approvalStatus;
  const refused = approval === 'denied' || approval === 'timed-out';
  // The first time each step's Task was entered, and how long its successful run took.
  const timing = new Map<string, { start: number; duration: number | null }>();
  for (const t of execution.timeline) {
    const name = t.state === 'Open ticket' ? 'open-ticket' : t.state.replace(RUN_SUFFIX, '');
    const known = timing.get(name);
    timing.set(name, {
      start: Math.min(known?.start ?? t.startedAt, t.startedAt),
      duration: t.outcome === 'succeeded' ? t.durationMs : (known?.duration ?? null),
    });
  }
  const actions = plan.steps.map((step) => {
    const timed = timing.get(step.action);
    const durationMs = timed?.duration == null ? null : Math.round(timed.duration);
    const startedMs = timed ? Math.round(timed.start - startedAt) : null;
    const record = (status: StepStatus, detail: string) => ({
      action: step.action,
      status,
      detail,
      durationMs,
      startedMs,
    });
    if (step.action === 'open-ticket') {
      type TicketOutcome = { ticketId?: string; created?: boolean } | null | undefined;
      const opened = output?.ticket as TicketOutcome;
      const ticket = opened?.ticketId ? opened : (output?.ticketUpdate as TicketOutcome);
      if (ticket?.ticketId) {
        return record(
          step.dryRun ? 'dry-run' : 'applied',
          `${ticket.created ? 'opened' : 'updated'} ${ticket.ticketId}`,
        );
      }
    }
    const key = stepKey(step.action);
    const result = results[key];
    if (result?.status) return record(result.status as StepStatus, result.detail ?? '');
    const failure = failures[key];
    if (failure) {
      return record(
        'failed',
        `${failure.Error ?? 'Error'}: ${failure.Cause ?? 'no cause given'} (escalated; the other steps ran)`,
      );
    }
    // A conditional step is not part of the upfront approval: it has its own request.
    if (step.onlyIf) {
      const asked = (output?.conditionalApprovals?.[key] ?? null) as { Error?: string } | null;
      if (asked?.Error === 'ApprovalDenied') return record('denied', 'escalation approval denied');
      if (asked?.Error === 'States.Timeout')
        return record('denied', 'escalation approval expired: denied by default, on-call paged');
      return record('skipped', `not needed: runs ${STEP_CONDITIONS[step.onlyIf].text}`);
    }
    if (step.approval === 'required' && refused) {
      return record(
        'denied',
        approval === 'timed-out'
          ? 'approval expired: denied by default, on-call paged'
          : 'approval denied',
      );
    }
    return record('skipped', 'not run');
  });
  const firstContainment = execution.timeline
    .filter((t) => t.outcome === 'succeeded' && CONTAINMENT.has(t.state.replace(RUN_SUFFIX, '')))
    .map((t) => t.startedAt + t.durationMs)
    .sort((a, b) => a - b)[0];
  const status: ReplayRecord['status'] =
    execution.status === 'FAILED' ? 'FAILED' : refused ? 'DENIED' : 'SUCCEEDED';
  return {
    actions,
    status,
    containmentMs: firstContainment === undefined ? null : Math.round(firstContainment - startedAt),
  };
}
