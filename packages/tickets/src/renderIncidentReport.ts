import type { ActionRecord, IncidentRecord } from '@tourniquet/core';
import { code, link, markup, table, text } from './markdown';

/**
 * The incident report, in Markdown, from the record alone: current state, findings, plan,
 * every action with its outcome, evidence ids, approvals, escalations, tickets and the full
 * timeline. Attached to the tickets and printed by `tourniquet incidents show`. Everything in
 * the record may carry attacker text (pod names, titles, error messages): it goes in through
 * `text`, `code` or a table cell, never as Markdown.
 */
export function renderIncidentReport(record: IncidentRecord): string {
  const i = record.incident;
  const sections = [
    `# Incident ${text(i.id)} — ${text(i.title)}`,
    table(
      ['Incident', i.id],
      [
        ['Incident key', code(i.key)],
        ['Status', markup(`**${text(i.status)}**`)],
        ['Severity', i.severity],
        ['Affected', i.subject],
        ['Where', `${i.cluster ? `cluster ${i.cluster}, ` : ''}account ${i.account}, ${i.region}`],
        ['Opened', i.createdAt],
        ['Last change', i.updatedAt],
        ['Tickets', ticketList(record) || 'none'],
      ],
    ),
    '## Current state',
    currentState(record),
    '## Findings',
    table(
      ['Finding', 'Type', 'Severity', 'Count', 'First seen', 'Last seen', 'Deliveries'],
      Object.values(i.findings).map((f) => [
        code(f.id),
        f.type,
        f.severity,
        f.count,
        f.firstSeen,
        f.lastSeen,
        f.deliveries,
      ]),
    ),
    '## Plan',
    plan(record),
    '## Actions',
    record.actions.length === 0
      ? 'No action has run.'
      : table(
          ['Recorded', 'Playbook', 'Action', 'Target', 'Outcome', 'Detail', 'Undo saved', 'Entry'],
          record.actions.map((a) => [
            a.at,
            a.mode === 'undo' ? `${a.playbook} (undo)` : a.playbook,
            a.action,
            a.target,
            a.status,
            a.detail,
            hasUndo(a) ? 'yes' : 'no',
            `#${a.seq}`,
          ]),
        ),
    '## Evidence',
    evidence(record),
    '## Approvals',
    i.approvals.length === 0
      ? 'No approval was requested.'
      : table(
          ['Decision', 'By', 'At', 'Actions'],
          i.approvals.map((a) => [
            a.decision,
            a.by ?? 'nobody (expired)',
            a.at,
            a.actions.join(', '),
          ]),
        ),
    '## Escalations',
    i.escalations.length === 0
      ? 'None.'
      : table(
          ['At', 'Reason', 'Error'],
          i.escalations.map((e) => [e.at, e.reason, e.error ? `${e.error}: ${e.cause}` : '']),
        ),
    '## Tickets',
    Object.keys(i.tickets).length === 0
      ? 'No ticket system is configured; this record is the ticket.'
      : table(
          ['Sink', 'Ticket', 'State', 'Failures', 'Last error'],
          Object.values(i.tickets).map((t) => [
            t.sink,
            t.url ? link(t.ticketId, t.url) : t.ticketId,
            t.state,
            t.failures,
            t.lastError,
          ]),
        ),
    '## Timeline',
    table(
      ['#', 'Time', 'Actor', 'Event'],
      record.audit.map((e) => [e.seq, e.at, e.actor, e.summary]),
    ),
  ];
  return `${sections.join('\n\n')}\n`;
}

function currentState(record: IncidentRecord): string {
  const i = record.incident;
  const inForce =
    i.inForce.length > 0
      ? `In force: ${text(i.inForce.join(', '))} (release undoes them, after approval).`
      : 'No containment is in force.';
  const latestEscalation = i.escalations.at(-1);
  const why: Record<string, string> = {
    open: 'Open: Tourniquet has not contained anything (yet).',
    'awaiting-approval': 'Waiting for an on-call approval.',
    contained: 'Contained.',
    escalated: `Escalated to on-call${latestEscalation ? ` (${text(latestEscalation.reason)}${latestEscalation.error ? `: ${text(latestEscalation.error)}` : ''})` : ''}.`,
    released: 'Released: the quarantine was lifted.',
    resolved: 'Resolved.',
  };
  return `${why[i.status] ?? text(i.status)} ${inForce}`;
}

function plan(record: IncidentRecord): string {
  const p = record.incident.plan;
  if (!p) return 'No playbook has started for this incident.';
  const parts = [`Playbook ${code(p.playbook).markdown}: ${text(p.reason)}`];
  if (p.steps.length > 0) {
    parts.push(
      table(
        ['Step', 'Target', 'Approval', 'Dry run'],
        p.steps.map((s) => [s.action, s.target, s.approval, s.dryRun ? 'yes' : 'no']),
      ),
    );
  }
  if (p.skipped.length > 0) {
    parts.push(
      [
        'Left out by the plan:',
        ...p.skipped.map((s) => `- ${text(s.action)}: ${text(s.reason)}`),
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}

/** Snapshot ids come from capture-evidence's `data.snapshots` (volume → snapshot). */
function evidence(record: IncidentRecord): string {
  const lines: string[] = [];
  for (const a of record.actions) {
    if (a.action !== 'capture-evidence' || !a.data) continue;
    const snapshots = Object.entries((a.data.snapshots ?? {}) as Record<string, string>);
    const captured = (a.data.evidence ?? {}) as { podSpec?: unknown; finding?: unknown };
    const what = [
      snapshots.length > 0
        ? `EBS snapshots ${snapshots.map(([volume, snap]) => `${code(snap).markdown} (of ${text(volume)})`).join(', ')}`
        : 'no EBS snapshot',
      captured.podSpec ? 'pod spec captured' : null,
      captured.finding ? 'finding captured' : null,
    ].filter(Boolean);
    lines.push(`- ${text(a.at)} (entry #${text(a.seq)}): ${what.join('; ')}`);
  }
  for (const f of Object.values(record.incident.findings)) {
    lines.push(
      `- Source finding ${code(f.id).markdown}${f.securityHubId ? ` (Security Hub ${code(f.securityHubId).markdown})` : ''}`,
    );
  }
  return lines.length > 0 ? lines.join('\n') : 'No evidence captured.';
}

function ticketList(record: IncidentRecord): string {
  return Object.values(record.incident.tickets)
    .filter((t) => t.ticketId)
    .map((t) => `${t.sink} ${t.ticketId} (${t.state})`)
    .join(', ');
}

function hasUndo(action: ActionRecord): boolean {
  return action.undo !== null && action.undo !== undefined;
}
