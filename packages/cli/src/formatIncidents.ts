import type { IncidentHead } from '@tourniquet/aws';
import { plainText } from '@tourniquet/tickets';

/** What an incident names is outside text: one line, no escape sequences for the terminal. */
const cell = (value: string) => plainText(value, { newlines: false, limit: 200 });

/** One line per incident for `tourniquet incidents list`. */
export function formatIncidentList(heads: readonly IncidentHead[]): string {
  if (heads.length === 0) return 'no incidents\n';
  const rows = heads.map((h) =>
    [
      h.id,
      h.status,
      h.severity,
      h.plan?.playbook ?? '—',
      h.updatedAt,
      h.subject,
      tickets(h) || '—',
    ].map(cell),
  );
  const header = ['ID', 'STATUS', 'SEVERITY', 'PLAYBOOK', 'UPDATED', 'AFFECTED', 'TICKETS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n${heads.length} incident(s)\n`;
}

/** The `--json` line for one incident in a list. */
export function incidentSummaryJson(h: IncidentHead) {
  return {
    key: h.key,
    id: h.id,
    status: h.status,
    severity: h.severity,
    title: h.title,
    subject: h.subject,
    playbook: h.plan?.playbook ?? null,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
    findings: Object.keys(h.findings).length,
    inForce: h.inForce,
    tickets: Object.values(h.tickets).map((t) => ({
      sink: t.sink,
      ticketId: t.ticketId,
      state: t.state,
    })),
  };
}

function tickets(h: IncidentHead): string {
  return Object.values(h.tickets)
    .filter((t) => t.ticketId)
    .map((t) => `${t.sink}:${t.ticketId}`)
    .join(', ');
}
