import { type Plan, stepKey } from '@tourniquet/core';
import type { LocalExecution } from '../playbooks/runPlaybook';
import type { ReplayState } from './describeState';

export type StepStatus = 'applied' | 'skipped' | 'dry-run' | 'denied' | 'failed';

/** The `replay --json` line for one event. */
export interface ReplayRecord {
  file: string;
  eventId: string | null;
  incidentKey: string;
  playbook: Plan['playbook'];
  /** DENIED: approval was refused or expired, so the destructive steps did not run. */
  status: 'SUCCEEDED' | 'FAILED' | 'DENIED';
  reason: string;
  /** The execution this event joined instead of starting one (a repeat for the same incident). */
  joined: string | null;
  actions: Array<{ action: string; status: StepStatus; detail: string; durationMs: number | null }>;
  /** Event in → first isolating step done, in ms; null when nothing isolating ran. */
  containmentMs: number | null;
  durationMs: number;
  state: ReplayState | null;
}

const CONTAINMENT = new Set([
  'isolate-pod',
  'isolate-node',
  'revoke-role-sessions',
  'block-web-identity',
  'require-imdsv2',
  'disable-public-endpoint',
  'enable-control-plane-logging',
  'revoke-open-ingress',
]);

/** Turns a local execution into per-step statuses, timings and the overall status. */
export function summarise(plan: Plan, execution: LocalExecution, startedAt: number) {
  const output = execution.output;
  const results = (output?.results ?? {}) as Record<
    string,
    { status?: string; detail?: string } | undefined
  >;
  const approval = output?.approvalStatus;
  const refused = approval === 'denied' || approval === 'timed-out';
  const failedState = execution.timeline.filter((t) => t.outcome === 'failed').at(-1)?.state;
  const timing = new Map<string, { end: number; duration: number }>();
  for (const t of execution.timeline) {
    if (t.outcome === 'succeeded')
      timing.set(t.state.replace(/ \(approved\)$/, ''), {
        end: t.startedAt + t.durationMs,
        duration: t.durationMs,
      });
  }
  const ticketTiming = timing.get('Open ticket');
  const actions = plan.steps.map((step) => {
    const timed =
      timing.get(step.action) ?? (step.action === 'open-ticket' ? ticketTiming : undefined);
    const durationMs = timed ? Math.round(timed.duration) : null;
    if (step.action === 'open-ticket') {
      const ticket = (output as { ticket?: { ticketId?: string; created?: boolean } } | null)
        ?.ticket;
      if (ticket) {
        return {
          action: step.action,
          status: (step.dryRun ? 'dry-run' : 'applied') as StepStatus,
          detail: `${ticket.created ? 'opened' : 'updated'} ${ticket.ticketId}`,
          durationMs,
        };
      }
    }
    const result = results[stepKey(step.action)];
    if (result?.status) {
      return {
        action: step.action,
        status: result.status as StepStatus,
        detail: result.detail ?? '',
        durationMs,
      };
    }
    if (execution.status === 'FAILED') {
      const failed = failedState === step.action || failedState === `${step.action} (approved)`;
      return {
        action: step.action,
        status: (failed ? 'failed' : 'skipped') as StepStatus,
        detail: failed
          ? (execution.timeline.find((t) => t.state === failedState && t.outcome === 'failed')
              ?.error ?? 'failed')
          : 'not run: an earlier step failed and the incident was escalated',
        durationMs: null,
      };
    }
    if (step.approval === 'required' && refused) {
      return {
        action: step.action,
        status: 'denied' as StepStatus,
        detail:
          approval === 'timed-out'
            ? 'approval expired: denied by default, on-call paged'
            : 'approval denied',
        durationMs: null,
      };
    }
    return {
      action: step.action,
      status: 'skipped' as StepStatus,
      detail: 'not run',
      durationMs: null,
    };
  });
  const firstContainment = execution.timeline
    .filter(
      (t) => t.outcome === 'succeeded' && CONTAINMENT.has(t.state.replace(/ \(approved\)$/, '')),
    )
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
