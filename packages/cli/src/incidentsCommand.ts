import { resolve } from 'node:path';
import { createDynamoIncidentStore } from '@tourniquet/aws';
import { INCIDENT_STATUSES, type IncidentStore, isIncidentStatus } from '@tourniquet/core';
import { INCIDENT_CSV_COLUMNS, incidentsCsv, renderIncidentReport } from '@tourniquet/tickets';
import { FileIncidentStore, incidentsFile } from './fileIncidentStore';
import { formatIncidentList, incidentSummaryJson } from './formatIncidents';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';

export const INCIDENTS_USAGE = `Usage: tourniquet incidents [list] [--status STATUS] [--json] [--store FILE | --table NAME [--region REGION]]
       tourniquet incidents show KEY|ID [--json] [--store FILE | --table NAME [--region REGION]]
       tourniquet incidents export --format jsonl|csv [--status STATUS] [--store FILE | --table NAME [--region REGION]]

Lists incidents (most recently changed first), or shows one as its Markdown report: current
state, findings, plan, every action with its outcome, evidence ids, approvals, tickets and the
timeline. KEY is the incident key; ID is its short id (tq-…). export writes every incident to
stdout: jsonl, one whole record (incident, actions, audit trail) per line; csv, a header line
and one line per incident (${INCIDENT_CSV_COLUMNS.map(([h]) => h).join(', ')}), every field
quoted and any a spreadsheet would evaluate as a formula prefixed with '.

  --status STATUS  only incidents in this status (${INCIDENT_STATUSES.join(', ')})
  --format FORMAT  export: jsonl or csv
  --json           list: one JSON object per incident per line; show: the whole record as JSON
  --store FILE     a local incidents file (default: $TOURNIQUET_INCIDENTS, else
                   .tourniquet/incidents.json, which replay writes)
  --table NAME     the DynamoDB incidents table of a deployment (AWS credentials from the
                   environment; AWS_ENDPOINT_URL is honoured)
  --region REGION  the table's region (default: $AWS_REGION)
Exit status: 0 ok, 2 no such incident, 64 bad usage.
`;

export async function incidentsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout(INCIDENTS_USAGE);
    return EXIT.ok;
  }
  const [verb = 'list', key, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (values.status && !isIncidentStatus(values.status)) {
    throw new UsageError(
      `--status must be one of ${INCIDENT_STATUSES.join(', ')}, not '${values.status}'`,
    );
  }
  if (values.store && values.table) throw new UsageError('give --store or --table, not both');
  if (values.format !== undefined && verb !== 'export')
    throw new UsageError('--format only applies to export');
  if (verb === 'export' && !isExportFormat(values.format)) {
    throw new UsageError(
      values.format === undefined
        ? `export needs --format ${EXPORT_FORMATS.join(' or ')}`
        : `--format must be ${EXPORT_FORMATS.join(' or ')}, not '${values.format}'`,
    );
  }
  const store = await openStore(values, io);

  if (verb === 'list') {
    if (key) throw new UsageError(`unexpected argument '${key}'`);
    const heads = await store.list(
      values.status && isIncidentStatus(values.status) ? { status: values.status } : {},
    );
    if (values.json)
      for (const h of heads) io.stdout(`${JSON.stringify(incidentSummaryJson(h))}\n`);
    else io.stdout(formatIncidentList(heads));
    return EXIT.ok;
  }
  if (verb === 'show') {
    if (!key) throw new UsageError('show needs an incident KEY or ID');
    // Short ids are not a key of the table: resolve them through the list.
    const fullKey = key.startsWith('tq-')
      ? (await store.list()).find((h) => h.id === key)?.key
      : key;
    const record = fullKey ? await store.get(fullKey) : null;
    if (!record) {
      io.stderr(`tourniquet incidents: no incident ${key}\n`);
      return EXIT.badInput;
    }
    io.stdout(values.json ? `${JSON.stringify(record, null, 2)}\n` : renderIncidentReport(record));
    return EXIT.ok;
  }
  if (verb === 'export') {
    if (key) throw new UsageError(`unexpected argument '${key}'`);
    const heads = await store.list(
      values.status && isIncidentStatus(values.status) ? { status: values.status } : {},
    );
    if (values.format === 'csv') {
      io.stdout(incidentsCsv(heads));
      return EXIT.ok;
    }
    // The whole record: JSON escapes every quote, line break and control character.
    for (const head of heads) {
      const record = await store.get(head.key);
      if (record) io.stdout(`${JSON.stringify(record)}\n`);
    }
    return EXIT.ok;
  }
  throw new UsageError(`unknown incidents command '${verb}': expected list, show or export`);
}

async function openStore(
  values: { store?: string; table?: string; region?: string },
  io: CliIo,
): Promise<IncidentStore> {
  if (values.table)
    return createDynamoIncidentStore({ tableName: values.table, region: values.region });
  if (values.region) throw new UsageError('--region only applies with --table');
  const path = values.store ? resolve(io.cwd, values.store) : incidentsFile(io.cwd);
  return FileIncidentStore.open(path);
}

const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
const isExportFormat = (value: unknown): value is (typeof EXPORT_FORMATS)[number] =>
  (EXPORT_FORMATS as readonly unknown[]).includes(value);

function parse(args: string[]) {
  return parseCommandLine(args, {
    status: { type: 'string' },
    format: { type: 'string' },
    json: { type: 'boolean', default: false },
    store: { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
  });
}
