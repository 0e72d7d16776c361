import {
  DEFAULT_EXECUTION_WINDOW_SECONDS,
  type ExecutionRecord,
  executionName,
  executionToJoin,
  type IncidentStore,
  type Plan,
  type PlaybookStarter,
  type StartedPlaybook,
  updateIncident,
} from '@tourniquet/core';
import { findingSeenEvent, incidentPlan, openedEvent, sightingOf } from './findingEvents';
import type { TicketService } from './ticketService';

const TRIAGE_ATTEMPTS = 25;

export interface IncidentRecordingOptions {
  store: IncidentStore;
  /**
   * When given, a finding that joins a running execution becomes a comment on its tickets. Only
   * `noteRepeat` is called, so a caller may load the ticket service when a repeat first comes.
   */
  tickets?: Pick<TicketService, 'noteRepeat'> | null;
  actor?: string;
  now?: () => Date;
  /** Ticket comments for repeat findings failed (they are on the incident already). */
  onCommentFailure?: (error: Error) => void;
  /** The inner starter's execution window (it names the execution the claim is for). */
  windowSeconds?: number;
}

/**
 * Triage's starter with the incident kept up to date around it: the finding joins the incident
 * (opening it, or reopening a released or resolved one) before the playbook starts, and the
 * execution it started is recorded after; an execution it joins is recorded with the sighting,
 * in one change. A redelivered event (same EventBridge id) changes nothing. Wraps the AWS
 * starter in the triage Lambda and the local one in replay.
 *
 * A finding whose incident has a running execution joins it without calling the inner starter:
 * the sighting is recorded all the same. Otherwise the finding claims the execution in the same
 * conditional write that records it, so of a burst on one pod only the claimer starts it and the
 * others join (see `executionToJoin`); a burst costs one StartExecution, not one per finding.
 */
export class IncidentRecordingStarter implements PlaybookStarter {
  constructor(
    private readonly inner: PlaybookStarter,
    private readonly options: IncidentRecordingOptions,
  ) {}

  async start(plan: Plan, at: Date): Promise<StartedPlaybook> {
    const key = plan.incidentKey;
    const finding = plan.finding;
    const change = (decide: Parameters<typeof updateIncident>[2]) =>
      updateIncident(this.options.store, key, decide, {
        actor: this.options.actor ?? 'triage',
        now: this.options.now,
        // A burst of findings on one pod all write one incident: wait their turn (at most about
        // 15 s, well inside triage's timeout) rather than fail into Lambda's retries.
        attempts: TRIAGE_ATTEMPTS,
      });

    const name = executionName(
      key,
      at,
      this.options.windowSeconds ?? DEFAULT_EXECUTION_WINDOW_SECONDS,
    );
    let redelivered = false;
    let running: ExecutionRecord | null = null;
    await change((head) => {
      running = null;
      if (head?.deliveries.includes(finding.eventId)) {
        redelivered = true;
        return [];
      }
      running = executionToJoin(head, {
        now: (this.options.now ?? (() => new Date()))(),
        eventId: finding.eventId,
        windowSeconds: this.options.windowSeconds ?? DEFAULT_EXECUTION_WINDOW_SECONDS,
      });
      return [
        ...(head ? [] : [openedEvent(key, finding)]),
        findingSeenEvent(finding, finding.eventId),
        ...(head?.status === 'released' || head?.status === 'resolved'
          ? [
              {
                type: 'status-changed' as const,
                to: 'open' as const,
                reason: `new finding ${finding.type}`,
              },
            ]
          : []),
        // Joining is decided here, on the head the sighting is written against: the join goes
        // in the same change, so the store counts it with the sighting (and never again for a
        // redelivery of it).
        ...(running
          ? [{ type: 'execution-joined' as const, name: running.name, findingId: finding.id }]
          : []),
        // Same window, same name: an execution already recorded under it is not started again.
        ...(running || head?.executions.some((e) => e.name === name)
          ? []
          : [{ type: 'execution-claimed' as const, name, eventId: finding.eventId }]),
      ];
    });

    const joining = running as ExecutionRecord | null;
    const started: StartedPlaybook = joining
      ? { status: 'duplicate', executionName: joining.name, executionArn: joining.arn ?? null }
      : await this.inner.start(plan, at);

    if (!joining)
      await change((head) => {
        if (started.status === 'started') {
          // A placeholder left by a finding that joined first has no playbook yet.
          return head?.executions.some((e) => e.name === started.executionName && e.playbook)
            ? []
            : [
                {
                  type: 'execution-started',
                  name: started.executionName,
                  playbook: plan.playbook ?? 'none',
                  plan: incidentPlan(plan),
                  arn: started.executionArn,
                },
              ];
        }
        return redelivered
          ? []
          : [{ type: 'execution-joined', name: started.executionName, findingId: finding.id }];
      });

    if (started.status === 'duplicate' && !redelivered && this.options.tickets) {
      const results = await this.options.tickets.noteRepeat(
        key,
        sightingOf(finding),
        started.executionName,
      );
      for (const r of results) if (r.error) this.options.onCommentFailure?.(r.error);
    }
    return started;
  }
}
