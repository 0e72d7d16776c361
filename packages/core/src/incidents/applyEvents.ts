import { incidentLabel } from '../labels';
import { SEVERITIES, type Severity, severityRank } from '../severity';
import { describeEvent } from './describeEvent';
import { IncidentStoreError, IncidentTransitionError } from './errors';
import type { ChangeMeta, IncidentEvent, RecordedOutcome } from './incidentEvents';
import type { ActionRecord, IncidentAuditEntry, IncidentHead, TicketState } from './incidentRecord';
import { canTransition } from './incidentStatus';

/** Bounds on the head's recent-id lists; the audit trail keeps everything. */
const RECENT_DELIVERIES = 100;
const RECENT_RUNS = 50;
const RECENT_POSTS = 100;
const RECENT_EXECUTIONS = 50;

export interface AppliedEvents {
  head: IncidentHead;
  audit: IncidentAuditEntry[];
  actions: ActionRecord[];
}

/**
 * Folds events into the incident: the new head, one audit entry per event (sequence numbers
 * continue from the head's version) and the action records. Pure: both stores persist exactly
 * what this returns, so they cannot disagree about what a change means.
 */
export function applyEvents(
  current: IncidentHead | null,
  key: string,
  events: readonly IncidentEvent[],
  meta: ChangeMeta,
): AppliedEvents {
  let head = current ? structuredClone(current) : null;
  const audit: IncidentAuditEntry[] = [];
  const actions: ActionRecord[] = [];
  for (const event of events) {
    const seq = (head?.version ?? 0) + 1;
    // Described against the state before the event: "seen again", "open → contained".
    const summary = describeEvent(event, head);
    head = applyEvent(head, key, event, meta, seq, actions);
    head.version = seq;
    head.updatedAt = meta.at;
    audit.push({
      seq,
      at: meta.at,
      actor: meta.actor,
      type: event.type,
      summary,
      data: auditData(event, seq),
    });
  }
  if (!head) throw new IncidentStoreError(`no events to apply to incident ${key}`);
  return { head, audit, actions };
}

function applyEvent(
  head: IncidentHead | null,
  key: string,
  event: IncidentEvent,
  meta: ChangeMeta,
  seq: number,
  actions: ActionRecord[],
): IncidentHead {
  if (event.type === 'opened') {
    if (head) throw new IncidentStoreError(`incident ${key} is already open`);
    return {
      key,
      id: incidentLabel(key),
      version: 0,
      status: 'open',
      title: event.title,
      severity: event.severity,
      account: event.account,
      region: event.region,
      cluster: event.cluster,
      subject: event.subject,
      createdAt: meta.at,
      updatedAt: meta.at,
      plan: null,
      findings: {},
      deliveries: [],
      executions: [],
      approvals: [],
      escalations: [],
      tickets: {},
      inForce: [],
      runs: [],
    };
  }
  if (!head) throw new IncidentStoreError(`incident ${key} does not exist (${event.type})`);
  switch (event.type) {
    case 'finding-seen': {
      const known = head.findings[event.finding.id];
      head.findings[event.finding.id] = {
        ...event.finding,
        count: Math.max(known?.count ?? 0, event.finding.count),
        firstSeen: earliest(known?.firstSeen, event.finding.firstSeen),
        lastSeen: latest(known?.lastSeen, event.finding.lastSeen),
        deliveries: (known?.deliveries ?? 0) + 1,
        securityHubId: event.finding.securityHubId ?? known?.securityHubId ?? null,
      };
      if (event.eventId)
        head.deliveries = recent(head.deliveries, event.eventId, RECENT_DELIVERIES);
      head.severity = higherSeverity(head.severity, event.finding.severity);
      return head;
    }
    case 'execution-claimed': {
      if (head.executions.some((e) => e.name === event.name)) return head;
      head.executions = [
        ...head.executions,
        { name: event.name, playbook: '', at: meta.at, joined: 0, claimedBy: event.eventId },
      ].slice(-RECENT_EXECUTIONS);
      return head;
    }
    case 'execution-started': {
      head.plan = event.plan;
      // A claim, or findings that joined before the start was recorded, left a placeholder.
      const early = head.executions.find((e) => e.name === event.name);
      if (early) {
        early.playbook = event.playbook;
        early.at = meta.at;
        if (event.arn) early.arn = event.arn;
        return head;
      }
      head.executions = [
        ...head.executions,
        {
          name: event.name,
          playbook: event.playbook,
          at: meta.at,
          joined: 0,
          ...(event.arn ? { arn: event.arn } : {}),
        },
      ].slice(-RECENT_EXECUTIONS);
      return head;
    }
    case 'execution-joined': {
      const execution = head.executions.find((e) => e.name === event.name);
      if (execution) {
        execution.joined += 1;
        return head;
      }
      // Joined before the starter recorded the start (racing triage invocations).
      head.executions = [
        ...head.executions,
        { name: event.name, playbook: '', at: meta.at, joined: 1 },
      ].slice(-RECENT_EXECUTIONS);
      return head;
    }
    case 'status-changed':
      if (!canTransition(head.status, event.to)) {
        throw new IncidentTransitionError(
          `incident ${key} cannot go from ${head.status} to ${event.to}`,
        );
      }
      // A reopened incident gets its resolved tickets back in play: later events comment on them.
      if (event.to === 'open' && (head.status === 'released' || head.status === 'resolved')) {
        for (const ticket of Object.values(head.tickets)) {
          if (ticket.state === 'resolved') ticket.state = 'open';
          ticket.acknowledged = false;
        }
      }
      head.status = event.to;
      return head;
    case 'actions-recorded': {
      // The run's outcome is recorded at its end: the execution stops absorbing new findings.
      const running = head.executions.findLast((e) => e.playbook && !e.endedAt);
      if (running && event.mode === 'apply') running.endedAt = meta.at;
      head.runs = recent(head.runs, event.runId, RECENT_RUNS);
      head.inForce = inForceAfter(head.inForce, event.mode, event.outcomes);
      for (const outcome of event.outcomes) {
        actions.push({
          ...outcome,
          seq,
          at: meta.at,
          runId: event.runId,
          playbook: event.playbook,
          mode: event.mode,
        });
      }
      return head;
    }
    case 'approval-requested':
      return head;
    case 'approval-decided':
      head.approvals.push({
        decision: event.decision,
        by: event.by,
        at: event.at,
        actions: event.actions,
      });
      return head;
    case 'escalated':
      head.escalations.push({
        id: event.id,
        reason: event.reason,
        error: event.error,
        cause: event.cause,
        at: meta.at,
      });
      return head;
    case 'ticket-claimed':
      head.tickets[event.sink] = {
        ...(head.tickets[event.sink] ?? emptyTicket(event.sink)),
        state: 'creating',
        claim: { id: event.claimId, at: meta.at },
      };
      return head;
    case 'ticket-opened': {
      const ticket = head.tickets[event.sink] ?? emptyTicket(event.sink);
      head.tickets[event.sink] = {
        ...ticket,
        state: 'open',
        ticketId: event.ticketId,
        apiId: event.apiId,
        url: event.url,
        claim: null,
        openedWith: event.postId,
        posted: recent(ticket.posted, event.postId, RECENT_POSTS),
        lastError: null,
      };
      return head;
    }
    case 'ticket-posted': {
      const ticket = head.tickets[event.sink];
      if (!ticket) throw new IncidentStoreError(`incident ${key} has no ${event.sink} ticket`);
      ticket.posted = recent(ticket.posted, event.postId, RECENT_POSTS);
      ticket.lastError = null;
      if (event.operation === 'acknowledge') ticket.acknowledged = true;
      if (event.operation === 'resolve') ticket.state = 'resolved';
      return head;
    }
    case 'ticket-failed': {
      const ticket = head.tickets[event.sink] ?? emptyTicket(event.sink);
      ticket.failures += 1;
      ticket.lastError = event.error;
      // A failed creation gives the claim back, so the retry can take it (and look first).
      if (ticket.state === 'creating') {
        ticket.state = 'failed';
        ticket.claim = null;
      }
      head.tickets[event.sink] = ticket;
      return head;
    }
    case 'ticket-note':
    case 'ticket-skipped':
      return head;
  }
}

/** Which steps' containment is in force after a run: applies add, undos take away. */
export function inForceAfter(
  inForce: readonly string[],
  mode: 'apply' | 'undo',
  outcomes: readonly RecordedOutcome[],
): string[] {
  const next = new Set(inForce);
  for (const outcome of outcomes) {
    if (outcome.status !== 'applied') continue;
    if (mode === 'undo') next.delete(outcome.action);
    // Evidence is not containment: a snapshot does not stop anything.
    else if (outcome.action !== 'capture-evidence') next.add(outcome.action);
  }
  return [...next];
}

function emptyTicket(sink: string): TicketState {
  return {
    sink,
    state: 'failed',
    ticketId: null,
    apiId: null,
    url: null,
    claim: null,
    openedWith: null,
    acknowledged: false,
    posted: [],
    failures: 0,
    lastError: null,
  };
}

/** What the audit entry keeps of an event: everything but bulky outcome payloads. */
function auditData(event: IncidentEvent, seq: number): Record<string, unknown> {
  const { type: _type, ...rest } = event;
  if (event.type === 'actions-recorded') {
    return {
      runId: event.runId,
      playbook: event.playbook,
      mode: event.mode,
      actionSeq: seq,
      outcomes: event.outcomes.map((o) => ({
        action: o.action,
        status: o.status,
        target: o.target,
        detail: o.detail,
        undoSaved: o.undo !== null && o.undo !== undefined,
      })),
    };
  }
  if (event.type === 'execution-started') {
    return {
      name: event.name,
      playbook: event.playbook,
      reason: event.plan.reason,
      steps: event.plan.steps.map((s) => s.action),
    };
  }
  return rest;
}

function recent(list: readonly string[], id: string, limit: number): string[] {
  return list.includes(id) ? [...list] : [...list, id].slice(-limit);
}

function earliest(a: string | undefined, b: string): string {
  return a && a < b ? a : b;
}

function latest(a: string | undefined, b: string): string {
  return a && a > b ? a : b;
}

/** The higher of two severities; an unknown one never wins over a known one. */
export function higherSeverity(a: string, b: string): string {
  const known = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);
  if (!known(a)) return b;
  if (!known(b)) return a;
  return severityRank(b) > severityRank(a) ? b : a;
}
