import type { Plan, PlaybookStarter, StartedPlaybook } from '@tourniquet/core';
import { type IncidentStore, updateIncident } from '@tourniquet/core';
import { findingSeenEvent, incidentPlan, openedEvent, sightingOf } from './findingEvents';
import type { TicketService } from './ticketService';

const TRIAGE_ATTEMPTS = 25;

export interface IncidentRecordingOptions {
  store: IncidentStore;
  /** When given, a finding that joins a running execution becomes a comment on its tickets. */
  tickets?: TicketService | null;
  actor?: string;
  now?: () => Date;
  /** Ticket comments for repeat findings failed (they are on the incident already). */
  onCommentFailure?: (error: Error) => void;
}

/**
 * Triage's starter with the incident kept up to date around it: the finding joins the incident
 * (opening it, or reopening a released or resolved one) before the playbook starts, and the
 * execution it started or joined is recorded after. A redelivered event (same EventBridge id)
 * changes nothing. Wraps the AWS starter in the triage Lambda and the local one in replay.
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

    let redelivered = false;
    await change((head) => {
      if (head?.deliveries.includes(finding.eventId)) {
        redelivered = true;
        return [];
      }
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
      ];
    });

    const started = await this.inner.start(plan, at);

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
