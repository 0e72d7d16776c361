import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig, createDynamoIncidentStore, DynamoActionJournal } from '@tourniquet/aws';
import { executionName, releasableFromJournal, releaseInput, renderTarget } from '@tourniquet/core';
import { incidentKeyOf } from './incidentKeyOf';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';
import { releaseFinding } from './releaseFinding';

export const RELEASE_USAGE = `Usage: tourniquet release INCIDENT [--stage STAGE | --table NAME --state-machine ARN]
                         [--region REGION] [--json]

Lifts a quarantine: starts the deployed release state machine for the incident. Like any
destructive step it waits for approval (the Slack message, or 'tourniquet approve'; the
two-person rule applies as configured); once approved, each undo restores what its action
recorded in the step journal before it changed anything, and only where Tourniquet's change
is still in place. The command names the incident and nothing else: which steps are undone
comes from the journal, and what they restore is read by the undo functions themselves.
Evidence snapshots are kept; Config remediations stay.

  INCIDENT              the incident key, or its id (tq-…)
  --stage STAGE         the deployment: table tourniquet-STAGE-incidents and state machine
                        tourniquet-STAGE-release in your account (default: $TOURNIQUET_STAGE)
  --table NAME          the incidents table (it holds the step journal), instead of --stage
  --state-machine ARN   the release state machine (stack output stateMachines.release)
  --region REGION       the stage's home region (default: $AWS_REGION)
  --json                print {"incidentKey", "executionArn", "status", "steps"} on one line
Credentials: the AWS SDK's default chain; you need dynamodb:Query/GetItem on the table and
states:StartExecution on the state machine, nothing else.
Locally, 'tourniquet replay --release EVENTS' contains and then releases in one emulator run.
Exit status: 0 started (or already running), 1 failed, 2 no such incident, 64 bad usage or no
AWS credentials.
`;

/** One release per incident within this window: a repeat (double click, retry) joins it. */
const RELEASE_WINDOW_SECONDS = 300;

export async function releaseCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    stage: { type: 'string' },
    table: { type: 'string' },
    'state-machine': { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout(RELEASE_USAGE);
    return EXIT.ok;
  }
  const [incident, ...extra] = positionals;
  if (!incident || extra.length > 0) throw new UsageError('release needs exactly one INCIDENT');
  const region = values.region ?? (process.env.AWS_REGION?.trim() || undefined);
  if (!region) throw new UsageError('name the region with --region or $AWS_REGION');
  const stage = values.stage ?? (process.env.TOURNIQUET_STAGE?.trim() || undefined);
  const tableName = values.table ?? (stage ? `tourniquet-${stage}-incidents` : undefined);
  if (!tableName) throw new UsageError('name the deployment with --stage (or --table)');
  const stateMachineArn =
    values['state-machine'] ?? (stage ? await releaseMachineArn(stage, region) : undefined);
  if (!stateMachineArn) throw new UsageError('name the release state machine with --state-machine');

  const store = createDynamoIncidentStore({ tableName, region });
  const key = await incidentKeyOf(store, incident);
  const head = key ? await store.head(key) : null;
  if (!key || !head) {
    io.stderr(`tourniquet release: no incident ${incident} in ${tableName}\n`);
    return EXIT.badInput;
  }
  const journal = new DynamoActionJournal({
    client: new DynamoDBClient(awsClientConfig({ region })),
    tableName,
  });
  const entries = await journal.list(key);
  const steps = releasableFromJournal(entries);
  if (steps.length === 0) {
    const message = `${head.id} (${key}): nothing to release: no containment of this incident is recorded as in force`;
    io.stdout(
      values.json
        ? `${JSON.stringify({ incidentKey: key, executionArn: null, status: 'nothing-to-release', steps: [] })}\n`
        : `${message}\n`,
    );
    return EXIT.ok;
  }
  const input = releaseInput(key, releaseFinding(head, entries), steps);
  const name = executionName(`release:${key}`, new Date(), RELEASE_WINDOW_SECONDS);
  const sfn = new SFNClient(awsClientConfig({ region }));
  let executionArn: string;
  let status: 'started' | 'already-running';
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    executionArn = started.executionArn ?? `${stateMachineArn}:${name}`;
    status = 'started';
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    status = 'already-running';
  }
  const rendered = steps.map((s) => `${s.action} on ${renderTarget(s.subject)}`);
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ incidentKey: key, executionArn, status, steps: steps.map((s) => ({ action: s.action, target: renderTarget(s.subject) })) })}\n`,
    );
  } else {
    io.stdout(
      `${status === 'started' ? 'release started' : 'a release of this incident was started in the last few minutes'}: ${head.id} (${key})\n` +
        `  execution ${executionArn}\n` +
        `  waiting for approval to undo:\n${rendered.map((r) => `    ${r}`).join('\n')}\n`,
    );
  }
  return EXIT.ok;
}

async function releaseMachineArn(stage: string, region: string): Promise<string> {
  const sts = new STSClient(awsClientConfig({ region }));
  const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
  const partition = Arn?.split(':')[1] ?? 'aws';
  return `arn:${partition}:states:${region}:${Account}:stateMachine:tourniquet-${stage}-release`;
}
