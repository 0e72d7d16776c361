import { resolve } from 'node:path';
import {
  createDynamoIncidentStore,
  INCIDENT_STATUSES,
  type IncidentStore,
  isIncidentStatus,
} from '@tourniquet/aws';
import { renderIncidentReport } from '@tourniquet/tickets';
import { FileIncidentStore, incidentsFile } from './fileIncidentStore';
import { formatIncidentList, incidentSummaryJson } from './formatIncidents';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';

export const INCIDENTS_USAGE = `Usage: tourniquet incidents [list] [--status STATUS] [--json] [--store FILE | --table NAME [--region REGION]]
       tourniquet incidents show KEY|ID [--json] [--store FILE | --table NAME [--region REGION]]

Lists incidents (most recently changed first), or shows one as its Markdown report: current
state, findings, plan, every action with its outcome, evidence ids, approvals, tickets and the
timeline. KEY is the incident key; ID is its short id (tq-…).

  --status STATUS  only incidents in this status (${INCIDENT_STATUSES.join(', ')})
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
  throw new UsageError(`unknown incidents command '${verb}': expected list or show`);
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

function parse(args: string[]) {
  return parseCommandLine(args, {
    status: { type: 'string' },
    json: { type: 'boolean', default: false },
    store: { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
  });
}
