import { ACTIONS } from '@tourniquet/actions';
import type { PlaybookFunctions } from '@tourniquet/core';
import { alarms } from './alarms';
import { eksAccess } from './eksAccess';
import { forwarding } from './forwarding';
import { functions } from './functions';
import { FUNCTION_NAMES, type FunctionName } from './permissions';
import { playbooks } from './playbooks';
import { routing } from './routing';
import { secrets } from './secrets';
import type { StageSettings } from './settings';
import { slackEndpoint } from './slackEndpoint';
import { storage } from './storage';

/** The whole deployment for one stage (one account, home region + forwarding regions). */
export function tourniquet(settings: StageSettings) {
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const partition = aws.getPartitionOutput();
  const tables = storage();
  const credentials = secrets();
  const prefix = `tourniquet-${$app.stage}`;
  const stateMachineArn = (name: string) =>
    $interpolate`arn:${partition.partition}:states:${region.name}:${identity.accountId}:stateMachine:${prefix}-${name}`;
  const stateMachineArns = [
    'contain-pod',
    'contain-node',
    'revoke-identity',
    'remediate-config',
    'ticket-only',
    'release',
  ].map(stateMachineArn);

  const scope = $util
    .all([
      partition.partition,
      identity.accountId,
      region.name,
      tables.incidents.arn,
      tables.approvals.arn,
      tables.idempotency.arn,
      credentials.arn,
      ...stateMachineArns,
    ])
    .apply(([p, account, r, incidents, approvals, idempotency, secret, ...machines]) => ({
      partition: p,
      account,
      region: r,
      clusters: settings.config.clusters,
      tables: { incidents, approvals, idempotency },
      stateMachines: machines,
      secrets: [secret],
      ownRolePrefix: prefix,
    }));

  const environment = {
    TOURNIQUET_CONFIG: JSON.stringify(settings.config),
    INCIDENTS_TABLE: tables.incidents.name,
    APPROVALS_TABLE: tables.approvals.name,
    IDEMPOTENCY_TABLE: tables.idempotency.name,
    CREDENTIALS_SECRET: credentials.arn,
    PLAYBOOK_STATE_MACHINES: $jsonStringify(
      Object.fromEntries(
        [
          'contain-pod',
          'contain-node',
          'revoke-identity',
          'remediate-config',
          'ticket-only',
          'release',
        ].map((n, i) => [n, stateMachineArns[i]]),
      ),
    ),
  };
  const fns = functions(FUNCTION_NAMES, scope, environment);
  const arns: $util.Output<PlaybookFunctions> = $util
    .all(FUNCTION_NAMES.map((n) => fns.functions[n].arn))
    .apply((list) => {
      const byName = Object.fromEntries(
        FUNCTION_NAMES.map((n, i) => [n, list[i] as string]),
      ) as Record<FunctionName, string>;
      const actions = Object.fromEntries(
        Object.keys(ACTIONS).map((a) => [a, byName[a as FunctionName]]),
      );
      return {
        actions: actions as PlaybookFunctions['actions'],
        approval: byName['request-approval'],
        ticket: byName['open-ticket'],
        escalate: byName.escalate,
      };
    });
  const machines = playbooks(
    arns,
    FUNCTION_NAMES.map((n) => fns.functions[n].arn),
    settings.approvalTimeoutSeconds,
  );
  const { dlq } = routing(fns.functions.triage);
  const url = slackEndpoint(fns.functions['slack-interactions']);
  const homeBus = $interpolate`arn:${partition.partition}:events:${region.name}:${identity.accountId}:event-bus/default`;
  forwarding(settings.forwardFrom, homeBus);
  eksAccess(settings.config.clusters, fns.roles);
  const topic = alarms(dlq, machines, settings.alarmEmail);
  return {
    slackInteractionsUrl: url.functionUrl,
    deadLetterQueue: dlq.url,
    alarmsTopic: topic.arn,
    stateMachines: Object.fromEntries(Object.entries(machines).map(([n, m]) => [n, m.arn])),
  };
}
