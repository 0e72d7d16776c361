import type {
  FindingSighting,
  IncidentEvent,
  IncidentPlan,
  Plan,
  RecordedOutcome,
} from '@tourniquet/core';
import type { StepResults, TicketFinding } from './ticketRequest';

type FindingFacts = Pick<
  TicketFinding,
  | 'id'
  | 'origin'
  | 'type'
  | 'title'
  | 'severity'
  | 'account'
  | 'region'
  | 'cluster'
  | 'count'
  | 'firstSeen'
  | 'lastSeen'
>;

/** `pod payments/x` from `<account>:<region>:<cluster>:pod:payments/x` (ids may contain `:`). */
export function subjectOf(incidentKey: string): string {
  const parts = incidentKey.split(':');
  return parts.length >= 5 ? `${parts[3]} ${parts.slice(4).join(':')}` : incidentKey;
}

export function openedEvent(incidentKey: string, finding: FindingFacts): IncidentEvent {
  const subject = subjectOf(incidentKey);
  return {
    type: 'opened',
    title: `${finding.type} on ${subject}`,
    severity: finding.severity,
    account: finding.account,
    region: finding.region,
    cluster: finding.cluster ?? null,
    subject,
  };
}

export function sightingOf(
  finding: FindingFacts & { raw?: unknown },
): Omit<FindingSighting, 'deliveries'> {
  return {
    id: finding.id,
    origin: finding.origin,
    type: finding.type,
    title: finding.title,
    severity: finding.severity,
    count: finding.count,
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
    securityHubId: securityHubIdOf(finding),
  };
}

export function findingSeenEvent(
  finding: FindingFacts & { raw?: unknown },
  eventId: string | null,
): IncidentEvent {
  return { type: 'finding-seen', eventId, finding: sightingOf(finding) };
}

/**
 * GuardDuty findings appear in Security Hub under their ARN, which only the raw event carries
 * (triage has it; the playbook's copy of the finding does not).
 */
function securityHubIdOf(finding: { origin: string; raw?: unknown }): string | null {
  if (finding.origin !== 'guardduty') return null;
  const arn = (finding.raw as { detail?: { arn?: unknown } } | undefined)?.detail?.arn;
  return typeof arn === 'string' ? arn : null;
}

export function incidentPlan(plan: Plan): IncidentPlan {
  return {
    playbook: plan.playbook ?? 'none',
    reason: plan.reason,
    steps: plan.steps.map((s) => ({
      action: s.action,
      target: s.target,
      approval: s.approval,
      dryRun: s.dryRun,
    })),
    skipped: plan.skipped.map((s) => ({ action: s.action, reason: s.reason })),
  };
}

/** The playbook's `$.results` as outcome records, in the order the steps ran. */
export function recordedOutcomes(results: StepResults | null): RecordedOutcome[] {
  return Object.entries(results ?? {}).map(([stepKey, r]) => ({
    stepKey,
    action: r.action,
    status: r.status,
    target: r.target,
    detail: r.detail,
    changes: r.changes,
    undo: r.undo ?? null,
    data: r.data ?? null,
  }));
}
