import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig, DynamoIncidentStore } from '@tourniquet/aws';
import {
  type ApprovalRecord,
  type ApproverIdentity,
  ATTEMPT_RESULT,
  type AttemptResult,
  approvalMessage,
  auditAttempt,
  authoriseAwsCaller,
  createSlackMessenger,
  DECISION_CHANNEL,
  type DecisionResult,
  DynamoApprovalStore,
  decideApproval,
  isApprovalId,
  StepFunctionsTaskCompleter,
  silentLog,
} from '@tourniquet/slack';
import { TicketService } from '@tourniquet/tickets';
import { loadApprovalSettings } from '../slack/approvalSettingsFile';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';

const usage = (
  verb: 'approve' | 'deny',
) => `Usage: tourniquet ${verb} [--table NAME] [--region REGION] [--endpoint URL] [--config FILE] [--json] APPROVAL_ID

${verb === 'approve' ? 'Approves' : 'Denies'} a pending approval request — the fallback when Slack is unreachable or not
configured. The caller is whoever AWS says they are (STS GetCallerIdentity; locally, moto
answers) and must match approvals.cli.approverArns. Each approval is decided once: a second
decision, or one after expiry, changes nothing and says so. Every attempt is audited.

  --table NAME     approvals table (default: $TOURNIQUET_APPROVALS_TABLE)
  --incidents-table NAME
                   incidents table the decision is recorded on (default: the approvals
                   table's name with -approvals replaced by -incidents, as deployed)
  --region REGION  region of the table and the playbooks (default: $AWS_REGION, else us-east-1)
  --endpoint URL   AWS endpoint, e.g. a local moto (default: $AWS_ENDPOINT_URL)
  --config FILE    configuration with the approvals section (default: $TOURNIQUET_CONFIG,
                   else ./tourniquet.config.json)
  --json           print {"approvalId", "result", "message"} on one line
With approvals.slack configured and $SLACK_BOT_TOKEN set, the Slack message is updated too.
Exit status: 0 decided (or first of two approvals), 1 refused or failed, 64 bad usage.
`;

export const APPROVE_USAGE = usage('approve');
export const DENY_USAGE = usage('deny');

export const approveCommand = (args: string[], io: CliIo) => decide('approve', args, io);
export const denyCommand = (args: string[], io: CliIo) => decide('deny', args, io);

async function decide(verb: 'approve' | 'deny', args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout(usage(verb));
    return EXIT.ok;
  }
  const [approvalId, ...extra] = positionals;
  if (!approvalId || extra.length > 0)
    throw new UsageError(`${verb} needs exactly one APPROVAL_ID`);
  if (!isApprovalId(approvalId)) {
    throw new UsageError(
      `'${approvalId.slice(0, 64)}' is not an approval id (apr_ and 22 characters)`,
    );
  }
  const table = values.table ?? process.env.TOURNIQUET_APPROVALS_TABLE?.trim();
  if (!table)
    throw new UsageError('name the approvals table with --table or $TOURNIQUET_APPROVALS_TABLE');
  const settings = await loadApprovalSettings(values.config, io.cwd);
  const config = awsClientConfig({
    region: values.region,
    endpoint: values.endpoint ?? (process.env.AWS_ENDPOINT_URL?.trim() || undefined),
  });
  const store = new DynamoApprovalStore({
    client: new DynamoDBClient(config),
    tableName: table,
    retentionDays: settings.retentionDays,
  });
  const now = new Date();
  const say = (result: AttemptResult, message: string, code: number) => {
    io[code === EXIT.ok ? 'stdout' : 'stderr'](
      values.json ? `${JSON.stringify({ approvalId, result, message })}\n` : `${message}\n`,
    );
    return code;
  };

  const record = await store.get(approvalId);
  const caller = await authoriseAwsCaller(new STSClient(config), settings.cli.approverArns);
  const actor: ApproverIdentity | null = caller.arn
    ? { id: `aws:${caller.arn}`, name: caller.arn, channel: DECISION_CHANNEL.cli }
    : null;
  const audit = (result: AttemptResult, detail: string) =>
    auditAttempt(store, silentLog, {
      at: now,
      channel: DECISION_CHANNEL.cli,
      incidentKey: record?.incidentKey ?? null,
      approvalId,
      actor,
      choice: verb,
      result,
      detail,
    });
  if (!record) {
    await audit(ATTEMPT_RESULT.unknownApproval, `no approval ${approvalId} in ${table}`);
    return say(
      ATTEMPT_RESULT.unknownApproval,
      `no approval ${approvalId} in ${table}`,
      EXIT.failed,
    );
  }
  if (!caller.authorised) {
    await audit(ATTEMPT_RESULT.unauthorised, caller.reason);
    return say(ATTEMPT_RESULT.unauthorised, `not authorised: ${caller.reason}`, EXIT.failed);
  }
  const approver: ApproverIdentity = {
    id: `aws:${caller.arn}`,
    name: caller.arn,
    channel: DECISION_CHANNEL.cli,
  };
  const incidentsTable =
    values['incidents-table'] ??
    (table.endsWith('-approvals') ? table.replace(/-approvals$/, '-incidents') : undefined);
  const recorder = incidentsTable
    ? new TicketService({
        store: new DynamoIncidentStore({
          client: new DynamoDBClient(config),
          tableName: incidentsTable,
        }),
        sinks: [],
        actor: 'cli',
      })
    : null;
  const result = await decideApproval(
    {
      store,
      completer: new StepFunctionsTaskCompleter(new SFNClient(config)),
      onDecided: recorder
        ? async (decided, decision) => {
            try {
              await recorder.approvalDecidedOn(decided.incidentKey, decided.actions, decision);
            } catch (error) {
              io.stderr(
                `note: the decision stands but was not recorded on the incident in ${incidentsTable}: ${(error as Error).message}\n`,
              );
            }
          }
        : undefined,
    },
    { approvalId, choice: verb, approver, now },
    record,
  );
  const { attempt, message, accepted } = describe(result, approvalId);
  await audit(attempt, message);
  const updated = 'record' in result && result.record ? result.record : null;
  if (updated) await updateSlackMessage(updated, settings, io);
  return say(attempt, message, accepted ? EXIT.ok : EXIT.failed);
}

/** Each decided step with the concrete target it was resolved to (else the plan's target). */
function stepsOn(record: {
  actions: readonly string[];
  steps: ReadonlyArray<{ action: string; target: string | null; resolved?: string | null }>;
}): string {
  const byAction = new Map(record.steps.map((s) => [s.action, s]));
  return record.actions
    .map((action) => {
      const step = byAction.get(action);
      if (step?.resolved === null) return `${action} (resolves to nothing: skipped)`;
      const on = step?.resolved ?? step?.target;
      return on ? `${action} on ${on}` : action;
    })
    .join(', ');
}

function describe(result: DecisionResult, approvalId: string) {
  const r = (attempt: AttemptResult, message: string, accepted = false) => ({
    attempt,
    message,
    accepted,
  });
  switch (result.kind) {
    case 'approved':
      return r(
        ATTEMPT_RESULT.approved,
        `approved ${approvalId} (${result.record.incidentKey}): the playbook runs ${stepsOn(result.record)}`,
        true,
      );
    case 'denied':
      return r(
        ATTEMPT_RESULT.denied,
        `denied ${approvalId} (${result.record.incidentKey}): the playbook skips ${stepsOn(result.record)}`,
        true,
      );
    case 'awaiting-approval':
      return r(
        ATTEMPT_RESULT.firstApproval,
        `approval ${result.record.approvals.length} of ${result.record.requiredApprovals} recorded for ${approvalId}; a different approver must confirm`,
        true,
      );
    case 'not-found':
      return r(ATTEMPT_RESULT.unknownApproval, `no approval ${approvalId}`);
    case 'already-decided':
      return r(
        ATTEMPT_RESULT.alreadyDecided,
        `${approvalId} was already ${result.record.status} by ${result.record.decidedBy?.id ?? 'someone'}; nothing changed`,
      );
    case 'repeat-approver':
      return r(
        ATTEMPT_RESULT.repeatApprover,
        `you already approved ${approvalId}; a different approver must confirm`,
      );
    case 'expired':
      return r(ATTEMPT_RESULT.expired, `${approvalId} expired (${result.reason}); nothing changed`);
    case 'unavailable':
      return r(
        ATTEMPT_RESULT.unavailable,
        `could not decide ${approvalId}: ${result.reason}; nothing changed, try again`,
      );
  }
}

/** Best effort: with a bot token at hand, the Slack message shows the CLI decision too. */
async function updateSlackMessage(
  record: ApprovalRecord,
  settings: Awaited<ReturnType<typeof loadApprovalSettings>>,
  io: CliIo,
): Promise<void> {
  const token = process.env.SLACK_BOT_TOKEN?.trim();
  if (!settings.slack || !record.message || !token) return;
  const slack = createSlackMessenger({
    botToken: token,
    apiUrl: process.env.SLACK_API_URL?.trim() || undefined,
  });
  try {
    await slack.updateMessage(
      record.message.channel,
      record.message.ts,
      approvalMessage(record, settings),
    );
  } catch (error) {
    io.stderr(`note: the Slack message was not updated: ${(error as Error).message}\n`);
  }
}

function parse(args: string[]) {
  return parseCommandLine(args, {
    table: { type: 'string' },
    'incidents-table': { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
}
