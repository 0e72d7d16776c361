import type { IncidentEvent } from './incidentEvents';
import type { IncidentHead } from './incidentRecord';

/** One readable line per audit entry: the timeline of the report and of `incidents show`. */
export function describeEvent(event: IncidentEvent, before: IncidentHead | null): string {
  switch (event.type) {
    case 'opened':
      return `incident opened: ${event.title}`;
    case 'finding-seen': {
      const f = event.finding;
      const known = before?.findings[f.id];
      return known
        ? `finding ${f.type} (${f.id}) seen again: count ${f.count}, last seen ${f.lastSeen}`
        : `finding ${f.type} (${f.id}) joined: ${f.severity}, count ${f.count}`;
    }
    case 'execution-claimed':
      return `starting execution ${event.name} (finding event ${event.eventId})`;
    case 'execution-started':
      return `playbook ${event.playbook} started (${event.name}): ${event.plan.steps.map((s) => s.action).join(', ') || 'no steps'}`;
    case 'execution-joined':
      return `finding ${event.findingId} joined the running execution ${event.name}`;
    case 'status-changed':
      return `status ${before?.status ?? 'none'} → ${event.to}: ${event.reason}`;
    case 'actions-recorded': {
      const verb = event.mode === 'undo' ? 'undo' : 'outcomes';
      const list = event.outcomes.map((o) => `${o.action} ${o.status}`).join(', ');
      return `${event.playbook} ${verb}: ${list || 'no steps ran'}`;
    }
    case 'approval-requested':
      return event.approvalId
        ? `approval ${event.approvalId} requested for ${event.actions.join(', ')} (decide in Slack or with tourniquet approve|deny ${event.approvalId})`
        : `approval requested for ${event.actions.join(', ')}`;
    case 'approval-decided':
      return event.decision === 'expired'
        ? `approval for ${event.actions.join(', ')} expired: denied by default`
        : `approval for ${event.actions.join(', ')} ${event.decision} by ${event.by}`;
    case 'escalated':
      return event.reason === 'approval-expired'
        ? 'escalated: the approval expired, on-call paged'
        : `escalated: a step failed (${event.error}: ${event.cause})`;
    case 'ticket-claimed':
      return `${event.sink}: creating the ticket`;
    case 'ticket-opened':
      return event.adopted
        ? `${event.sink}: found ticket ${event.ticketId} from an earlier attempt`
        : `${event.sink}: opened ticket ${event.ticketId}`;
    case 'ticket-posted':
      return `${event.sink}: ${event.operation} — ${event.summary}`;
    case 'ticket-failed':
      return `${event.sink}: ${event.operation} failed${event.retryable ? ' (will retry)' : ''}: ${event.error}`;
    case 'ticket-note':
      return `${event.sink}: ${event.note}`;
    case 'ticket-skipped':
      return `ticket not opened: ${event.reason}`;
  }
}
