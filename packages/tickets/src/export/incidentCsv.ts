import type { IncidentHead } from '@tourniquet/core';
import { plainText } from '../sanitise/plainText';

/**
 * What a spreadsheet would run as a formula (OWASP "CSV Injection"): a cell starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return — also after leading spaces, which some
 * spreadsheets skip, and in the fullwidth forms some accept.
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/** Longest cell: a finding title or subject is far shorter; a hostile one is cut, not carried. */
const CELL_LIMIT = 2000;

/**
 * One CSV field (RFC 4180): always quoted, quotes doubled, so commas, quotes and line breaks
 * in a pod name stay inside their cell; no terminal escapes or control characters; a value a
 * spreadsheet would evaluate is prefixed with `'` so it is shown as text.
 */
export function csvField(value: unknown): string {
  let text = plainText(value, { newlines: true, limit: CELL_LIMIT });
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const joined = (values: readonly string[]) => values.join('; ');

/** The columns of `tourniquet incidents export --format csv`, in order: header and value. */
export const INCIDENT_CSV_COLUMNS: ReadonlyArray<
  readonly [header: string, value: (h: IncidentHead) => string | number | null]
> = [
  ['id', (h) => h.id],
  ['key', (h) => h.key],
  ['status', (h) => h.status],
  ['severity', (h) => h.severity],
  ['title', (h) => h.title],
  ['subject', (h) => h.subject],
  ['playbook', (h) => h.plan?.playbook ?? null],
  ['account', (h) => h.account],
  ['region', (h) => h.region],
  ['cluster', (h) => h.cluster],
  ['created_at', (h) => h.createdAt],
  ['updated_at', (h) => h.updatedAt],
  ['finding_types', (h) => joined([...new Set(Object.values(h.findings).map((f) => f.type))])],
  ['findings', (h) => Object.values(h.findings).reduce((n, f) => n + f.count, 0)],
  ['in_force', (h) => joined(h.inForce)],
  [
    'tickets',
    (h) =>
      joined(
        Object.values(h.tickets)
          .filter((t) => t.ticketId)
          .map((t) => `${t.sink}:${t.ticketId}`),
      ),
  ],
];

/** A header line, then one line per incident; CRLF line ends as RFC 4180 has them. */
export function incidentsCsv(heads: readonly IncidentHead[]): string {
  const line = (cells: ReadonlyArray<unknown>) => `${cells.map(csvField).join(',')}\r\n`;
  return [
    line(INCIDENT_CSV_COLUMNS.map(([header]) => header)),
    ...heads.map((h) => line(INCIDENT_CSV_COLUMNS.map(([, value]) => value(h)))),
  ].join('');
}
