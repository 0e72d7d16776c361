import { resolve } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  awsClientConfig,
  canTransition,
  createDynamoIncidentStore,
  type IncidentStore,
} from '@tourniquet/aws';
import { FileIncidentStore, incidentsFile } from './fileIncidentStore';
import { incidentKeyOf } from './incidentKeyOf';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';

export const RESOLVE_USAGE = `Usage: tourniquet resolve INCIDENT --reason TEXT [--store FILE | --table NAME [--region REGION]] [--json]

Closes an incident: its status becomes resolved, with your reason and identity in its audit
trail. An incident whose containment is still in force is not resolved: release it first
('tourniquet release'), so nothing stays quarantined under a closed incident. A later finding
on the same subject reopens it. Its tickets are not closed by this command yet: close them in
the ticket system (a release closes them through the release playbook).

  INCIDENT         the incident key, or its id (tq-…)
  --reason TEXT    why it is resolved (required; goes into the audit trail)
  --store FILE     a local incidents file (default: $TOURNIQUET_INCIDENTS, else
                   .tourniquet/incidents.json, which replay writes)
  --table NAME     the DynamoDB incidents table of a deployment (AWS credentials from the
                   environment; the audit names the caller's ARN)
  --region REGION  the table's region (default: $AWS_REGION)
  --json           print the incident's new head as JSON
Exit status: 0 resolved (or already resolved), 1 refused (containment in force), 2 no such
incident, 64 bad usage or no AWS credentials.
`;

export async function resolveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    reason: { type: 'string' },
    store: { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout(RESOLVE_USAGE);
    return EXIT.ok;
  }
  const [incident, ...extra] = positionals;
  if (!incident || extra.length > 0) throw new UsageError('resolve needs exactly one INCIDENT');
  const reason = values.reason?.trim();
  if (!reason) throw new UsageError('say why with --reason TEXT (it goes into the audit trail)');
  if (values.store && values.table) throw new UsageError('give --store or --table, not both');
  if (values.region && !values.table) throw new UsageError('--region only applies with --table');
  let store: IncidentStore;
  let actor: string;
  if (values.table) {
    store = createDynamoIncidentStore({ tableName: values.table, region: values.region });
    const sts = new STSClient(awsClientConfig({ region: values.region }));
    actor = (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown caller';
  } else {
    const path = values.store ? resolve(io.cwd, values.store) : incidentsFile(io.cwd);
    store = await FileIncidentStore.open(path);
    actor = `local:${process.env.USER ?? 'cli'}`;
  }
  const key = await incidentKeyOf(store, incident);
  const head = key ? await store.head(key) : null;
  if (!key || !head) {
    io.stderr(`tourniquet resolve: no incident ${incident}\n`);
    return EXIT.badInput;
  }
  if (head.status === 'resolved') {
    io.stdout(values.json ? `${JSON.stringify(head)}\n` : `${head.id} is already resolved\n`);
    return EXIT.ok;
  }
  if (head.inForce.length > 0 || !canTransition(head.status, 'resolved')) {
    io.stderr(
      `tourniquet resolve: ${head.id} still has containment in force (${head.inForce.join(', ')}): release it first with 'tourniquet release ${head.id}'\n`,
    );
    return EXIT.failed;
  }
  const after = await store.append(
    key,
    head,
    [{ type: 'status-changed', to: 'resolved', reason: `resolved by ${actor}: ${reason}` }],
    { actor, at: new Date().toISOString() },
  );
  io.stdout(
    values.json ? `${JSON.stringify(after)}\n` : `${after.id} (${key}) resolved: ${reason}\n`,
  );
  return EXIT.ok;
}
