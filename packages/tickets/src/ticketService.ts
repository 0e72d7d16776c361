import { randomUUID } from 'node:crypto';
import type { ApprovalDecision, EscalationResult, TicketResult } from '@tourniquet/core';
import {
  type FindingSighting,
  type IncidentEvent,
  type IncidentHead,
  type IncidentStore,
  inForceAfter,
  updateIncident,
} from '@tourniquet/core';
import { PermanentTicketError, TransientTicketError } from './errors';
import { recordedOutcomes } from './findingEvents';
import { IncidentApprovals } from './incidentApprovals';
import {
  decisionEvents,
  ensureIncident,
  escalationReason,
  runIdOf,
  statusMove,
} from './incidentChanges';
import { renderIncidentReport } from './renderIncidentReport';
import { stableId } from './stableId';
import { statusAfterRun } from './statusAfterRun';
import { isTransient, type SyncPlan, type SyncResult, syncSink } from './syncSink';
import {
  type ParsedTicketRequest,
  parseEscalationRequest,
  parseTicketRequest,
} from './ticketRequest';
import type { TicketDocument, TicketSink } from './ticketSink';
import { ticketSubject } from './ticketSubject';
import {
  escalationFailures,
  escalationText,
  incidentSummary,
  protectedSkips,
  repeatText,
  runText,
  startText,
} from './ticketText';

export interface TicketServiceOptions {
  store: IncidentStore;
  /** The first sink is the primary one: its ticket id is what the playbook gets back. */
  sinks: readonly TicketSink[];
  /** Who the audit trail says made the changes (`open-ticket`, `escalate`, `local`…). */
  actor: string;
  now?: () => Date;
  claimLeaseSeconds?: number;
  newId?: () => string;
}

/**
 * The playbook's ticket and escalation steps over the incident store and the ticket sinks: the
 * same code behind the `open-ticket` and `escalate` Lambdas and the local ticket desk. It
 * records first (outcomes, status, approvals), then brings every sink up to date; a sink that
 * fails is recorded on the incident and the step fails with a transient error, so the
 * playbook's Retry runs it again and only what failed is repeated.
 */
export class TicketService {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly approvals: IncidentApprovals;

  constructor(private readonly options: TicketServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.approvals = new IncidentApprovals({
      store: options.store,
      actor: options.actor,
      now: this.now,
    });
  }

  get sinks(): readonly TicketSink[] {
    return this.options.sinks;
  }

  /** The "Open ticket" (start) and "Update ticket" (end) Tasks: TicketRequest → TicketResult. */
  async openTicket(input: unknown): Promise<TicketResult> {
    const request = parseTicketRequest(input);
    if (request.phase === 'start') return this.openAtStart(request);
    const key = request.incidentKey;
    const mode = request.playbook === 'release' ? 'undo' : 'apply';
    const outcomes = recordedOutcomes(request.results);
    let runId = '';
    let firstRun = false;
    const head = (await this.change(key, (h) => {
      const events = ensureIncident(h, key, request.finding);
      runId = runIdOf(h, request.playbook, request.results);
      if (h?.runs.includes(runId)) return events;
      firstRun = (h?.runs.length ?? 0) === 0;
      events.push({ type: 'actions-recorded', runId, playbook: request.playbook, mode, outcomes });
      events.push(...decisionEvents(h, request, this.now));
      if (request.dryRun) {
        events.push({
          type: 'ticket-skipped',
          runId,
          reason: 'dry run: no ticket is opened or updated',
        });
      }
      const from = h?.status ?? 'open';
      const to = statusAfterRun(from, inForceAfter(h?.inForce ?? [], mode, outcomes), {
        playbook: request.playbook,
        approvalStatus: request.approvalStatus,
        dryRun: request.dryRun ?? false,
      });
      events.push(...statusMove(from, to.status, to.reason));
      return events;
    })) as IncidentHead;

    const primary = this.options.sinks[0];
    if (request.dryRun) {
      const existing = primary ? head.tickets[primary.name]?.ticketId : null;
      return { ticketId: existing ?? 'dry-run', created: false, dryRun: true };
    }
    // A protected target that was left alone is a decision a human must see now: page, and do
    // not acknowledge the page in the same breath.
    const page = protectedSkips(request).length > 0;
    const update = {
      id: stableId('ticket', { runId, approvalStatus: request.approvalStatus }),
      text: runText(request, head.status),
      operation: page ? ('page' as const) : ('comment' as const),
    };
    const results = await this.sync(key, {
      update,
      create: true,
      acknowledge: head.status === 'contained' && !page,
      resolve: head.status === 'released' || head.status === 'resolved',
    });
    this.settle(results, false);
    return {
      ticketId: results[0]?.ref?.id ?? head.id,
      created: results[0] ? results[0].created : firstRun,
      dryRun: false,
    };
  }

  /**
   * As the steps start (alongside isolation and the approval request): the incident is recorded
   * and the ticket created (a paging sink pages) with the plan, so on-call hears of the incident
   * at once. Nothing is recorded as run and the status does not move: the closing update does
   * that.
   */
  private async openAtStart(request: ParsedTicketRequest): Promise<TicketResult> {
    const key = request.incidentKey;
    let created = false;
    const head = (await this.change(key, (h) => {
      created = !h;
      return ensureIncident(h, key, request.finding);
    })) as IncidentHead;
    const primary = this.options.sinks[0];
    if (request.dryRun) {
      const existing = primary ? head.tickets[primary.name]?.ticketId : null;
      return { ticketId: existing ?? 'dry-run', created: false, dryRun: true };
    }
    const results = await this.sync(key, {
      update: {
        id: stableId('ticket-start', {
          playbook: request.playbook,
          execution: head.executions.at(-1)?.name ?? null,
        }),
        text: startText(request),
        operation: 'comment',
      },
      create: true,
      acknowledge: false,
      resolve: false,
    });
    this.settle(results, false);
    return {
      ticketId: results[0]?.ref?.id ?? head.id,
      created: results[0] ? results[0].created : created,
      dryRun: false,
    };
  }

  /** The "Escalate" and "Page on-call (approval expired)" Tasks: EscalationRequest → EscalationResult. */
  async escalate(input: unknown): Promise<EscalationResult> {
    const request = parseEscalationRequest(input);
    const key = request.incidentKey;
    const failed = escalationFailures(request);
    const id = stableId('escalation', {
      reason: request.reason,
      failure: request.failure ?? null,
      failures: request.failures ?? null,
      actions: request.actions ?? null,
      results: request.results,
    });
    const head = (await this.change(key, (h) => {
      const events = ensureIncident(h, key, request.finding);
      if (h?.escalations.some((e) => e.id === id)) return events;
      const outcomes = recordedOutcomes(request.results);
      const runId = runIdOf(h, request.playbook, request.results);
      if (outcomes.length > 0 && !h?.runs.includes(runId)) {
        const mode = request.playbook === 'release' ? 'undo' : 'apply';
        events.push({
          type: 'actions-recorded',
          runId,
          playbook: request.playbook,
          mode,
          outcomes,
        });
      }
      if (request.reason === 'approval-expired' && h?.approvals.at(-1)?.decision !== 'expired') {
        events.push({
          type: 'approval-decided',
          decision: 'expired',
          by: null,
          at: this.now().toISOString(),
          actions: request.actions ?? [],
        });
      }
      events.push({
        type: 'escalated',
        id,
        reason: request.reason,
        error: failed.length > 0 ? [...new Set(failed.map((f) => f.error))].join(', ') : null,
        cause:
          failed.length > 0
            ? failed.map((f) => `${f.step}: ${f.error}: ${f.cause}`).join('; ')
            : null,
      });
      events.push(...statusMove(h?.status ?? 'open', 'escalated', escalationReason(request)));
      return events;
    })) as IncidentHead;

    const results = await this.sync(key, {
      update: { id, text: escalationText(request), operation: 'page' },
      create: true,
      acknowledge: false,
      resolve: false,
    });
    const paged = results.some((r) => !r.error && r.sink.pages);
    // A human has been paged: a permanent failure elsewhere is on the record, not a reason to fail.
    this.settle(results, paged);
    return { paged, ticketId: results[0]?.ref?.id ?? head.id };
  }

  /** A repeat finding joined a running execution: comment on the tickets that exist (none are created). */
  async noteRepeat(
    key: string,
    sighting: Omit<FindingSighting, 'deliveries'>,
    executionName: string,
  ): Promise<SyncResult[]> {
    return this.sync(key, {
      update: {
        id: stableId('seen', {
          id: sighting.id,
          count: sighting.count,
          lastSeen: sighting.lastSeen,
        }),
        text: repeatText(sighting, executionName),
        operation: 'comment',
      },
      create: false,
      acknowledge: false,
      resolve: false,
    });
  }

  /** The approval Task asked on-call: the incident waits (IncidentApprovals). */
  approvalRequested(input: unknown): Promise<void> {
    return this.approvals.approvalRequested(input);
  }

  /** On-call decided (who and when go on the record); the incident stops waiting. */
  approvalDecided(input: unknown, decision: ApprovalDecision): Promise<void> {
    return this.approvals.approvalDecided(input, decision);
  }

  /** The same from the decision endpoint or the CLI, without the step outcomes. */
  approvalDecidedOn(
    incidentKey: string,
    actions: readonly string[],
    decision: ApprovalDecision,
  ): Promise<void> {
    return this.approvals.approvalDecidedOn(incidentKey, actions, decision);
  }

  /** An operator closes the incident: status resolved, every ticket resolved. */
  async resolve(key: string, by: string, note: string): Promise<void> {
    const head = await this.change(key, (h) =>
      h ? statusMove(h.status, 'resolved', `resolved by ${by}: ${note}`) : [],
    );
    if (!head) throw new PermanentTicketError(`no incident ${key}`);
    const results = await this.sync(key, {
      update: {
        id: stableId('resolve', { by, note, at: head.updatedAt }),
        text: `Resolved by ${by}: ${note}`,
        operation: 'comment',
      },
      create: false,
      acknowledge: false,
      resolve: true,
    });
    this.settle(results, false);
  }

  /** The Markdown report of an incident, or null when there is none. */
  async report(key: string): Promise<string | null> {
    const record = await this.options.store.get(key);
    return record ? renderIncidentReport(record) : null;
  }

  private async sync(key: string, plan: SyncPlan): Promise<SyncResult[]> {
    if (this.options.sinks.length === 0) return [];
    const record = await this.options.store.get(key);
    if (!record) return [];
    const subject = ticketSubject(record.incident);
    const document: TicketDocument = {
      summary: incidentSummary(record),
      report: renderIncidentReport(record),
    };
    const ctx = {
      store: this.options.store,
      key,
      actor: this.options.actor,
      now: this.now,
      claimLeaseMs: (this.options.claimLeaseSeconds ?? 300) * 1000,
      newClaimId: this.newId,
    };
    return Promise.all(
      this.options.sinks.map((sink) => syncSink(ctx, sink, subject, document, plan)),
    );
  }

  /** Every failure is already on the incident; this decides whether the step fails too. */
  private settle(results: readonly SyncResult[], toleratePermanent: boolean): void {
    const failed = results.filter((r) => r.error);
    if (failed.length === 0) return;
    const message = failed.map((r) => r.error?.message).join('; ');
    if (failed.some((r) => r.error && isTransient(r.error))) {
      throw new TransientTicketError(message, { cause: failed[0]?.error });
    }
    if (!toleratePermanent)
      throw new PermanentTicketError(message, null, { cause: failed[0]?.error });
  }

  private change(key: string, decide: (head: IncidentHead | null) => IncidentEvent[]) {
    return updateIncident(this.options.store, key, decide, {
      actor: this.options.actor,
      now: this.now,
    });
  }
}
