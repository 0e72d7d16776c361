import {
  canTransition,
  type IncidentEvent,
  type IncidentHead,
  type IncidentStatus,
} from '@tourniquet/core';
import { findingSeenEvent, openedEvent } from './findingEvents';
import { stableId } from './stableId';
import type { ParsedEscalationRequest, ParsedTicketRequest, TicketFinding } from './ticketRequest';
import { escalationFailures } from './ticketText';

/** The incident events the ticket service derives from a request and the incident's head. */

/** A step can run before triage recorded the incident (or without triage, locally). */
export function ensureIncident(
  head: IncidentHead | null,
  key: string,
  finding: TicketFinding,
): IncidentEvent[] {
  return head
    ? []
    : [openedEvent(key, finding), findingSeenEvent(finding, finding.eventId ?? null)];
}

/** Runs are identified by what they did within which execution, not by who reports them. */
export function runIdOf(head: IncidentHead | null, playbook: string, results: unknown): string {
  return stableId('run', { playbook, execution: head?.executions.at(-1)?.name ?? null, results });
}

/** The approval decision a request carries, once: a decision already recorded is not repeated. */
export function decisionEvents(
  head: IncidentHead | null,
  request: ParsedTicketRequest,
  now: () => Date,
): IncidentEvent[] {
  const d = request.approvalDecision;
  if (!d || d.decision === 'expired' || !d.by) return [];
  const known = head?.approvals.some((a) => a.by === d.by && a.at === d.at);
  if (known) return [];
  const actions = request.steps.filter((s) => s.approval === 'required').map((s) => s.action);
  return [
    {
      type: 'approval-decided',
      decision: d.decision,
      by: d.by,
      at: d.at ?? now().toISOString(),
      actions,
    },
  ];
}

/** A status change, when the status differs and the transition is allowed. */
export function statusMove(
  from: IncidentStatus,
  to: IncidentStatus,
  reason: string,
): IncidentEvent[] {
  return from !== to && canTransition(from, to) ? [{ type: 'status-changed', to, reason }] : [];
}

export function escalationReason(request: ParsedEscalationRequest): string {
  if (request.reason === 'approval-expired')
    return `approval for ${(request.actions ?? []).join(', ')} expired`;
  if (request.reason === 'pod-not-isolated') return 'the pod is NOT isolated';
  const failed = escalationFailures(request).map((f) => f.step);
  return `${failed.length > 0 ? failed.join(', ') : 'a step'} failed`;
}
