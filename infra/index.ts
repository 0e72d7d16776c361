import { ACTIONS } from '@tourniquet/actions';
import {
  type PlaybookFunctions,
  STATE_MACHINE_NAMES,
  type StateMachineName,
  vpcReaches,
} from '@tourniquet/core';
import { withStageSecrets } from '@tourniquet/tickets';
import { alarms } from './alarms';
import { dashboard } from './dashboard';
import { denyAllInstanceProfile } from './denyAllInstanceProfile';
import { checkAccessEntryModes, eksAccess } from './eksAccess';
import { forwarding } from './forwarding';
import { forwardingRegions } from './forwardingRegions';
import { functions } from './functions';
import { hubMembers } from './hubMembers';
import { FUNCTION_NAMES, type FunctionName } from './permissions';
import { playbooks } from './playbooks';
import { regionProviders } from './regionProviders';
import { deadLetterQueue, routing } from './routing';
import { secrets } from './secrets';
import type { StageSettings } from './settings';
import { decisionEndpoint, slackEndpoint } from './slackEndpoint';
import { storage, taskTokenKeyPolicy } from './storage';
import { untrackGroups } from './untrackGroups';

/** The whole deployment for one stage (one account, home region + forwarding regions). */
export async function tourniquet(settings: StageSettings) {
  const providerFor = regionProviders(settings.homeRegion);
  // Before anything is created: a cluster that cannot take access entries stops the deploy.
  if (settings.accessEntries) await checkAccessEntryModes(settings.config.clusters, providerFor);
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const partition = aws.getPartitionOutput();
  const tables = storage(settings.retainData);
  const credentials = secrets(settings);
  const dlq = deadLetterQueue();
  const prefix = `tourniquet-${$app.stage}`;
  const stateMachineArn = (name: string) =>
    $interpolate`arn:${partition.partition}:states:${region.name}:${identity.accountId}:stateMachine:${prefix}-${name}`;
  // Clusters reached from a VPC: their Kubernetes-using functions and playbooks get a copy there.
  const reaches = vpcReaches(settings.config.clusters);
  const variantMachines = reaches.flatMap((r) =>
    STATE_MACHINE_NAMES.map((n) => [`${n}-${r.key}`, stateMachineArn(`${n}-${r.key}`)] as const),
  );
  const stateMachineArns = {
    ...(Object.fromEntries(
      STATE_MACHINE_NAMES.map((name) => [name, stateMachineArn(name)]),
    ) as Record<StateMachineName, $util.Output<string>>),
    ...Object.fromEntries(variantMachines),
  };

  const sinkSecretArns = Object.entries(credentials.sinks).map(
    ([type, secret]) => [type, secret.arn] as const,
  );
  const scope = $util
    .all([
      $util.all([
        partition.partition,
        identity.accountId,
        region.name,
        tables.incidents.arn,
        tables.approvals.arn,
        credentials.slack?.arn ?? '',
        dlq.arn,
      ]),
      $util.all(sinkSecretArns.map(([, arn]) => arn)),
      $util.all(Object.values(stateMachineArns)),
      $util.all([tables.keys.approvalsTable.arn, tables.keys.taskTokens.arn]),
    ])
    .apply(
      ([
        [p, account, r, incidents, approvals, slackSecret, deadLetters],
        sinkSecrets,
        machines,
        keys,
      ]) => ({
        partition: p,
        account,
        region: r,
        clusters: settings.config.clusters,
        tables: { incidents, approvals },
        stateMachines: machines,
        keys: { approvalsTable: keys[0], taskTokens: keys[1] },
        secrets: {
          slack: slackSecret ? [slackSecret] : [],
          tickets: [
            ...sinkSecrets,
            ...ownSinkSecrets(settings.tickets.sinks).map((name) =>
              name.startsWith('arn:')
                ? name
                : `arn:${p}:secretsmanager:${r}:${account}:secret:${name}-??????`,
            ),
          ],
        },
        ownRolePrefix: prefix,
        deadLetterQueue: deadLetters,
      }),
    );

  // Sinks that name no secret of their own read the one this stage creates for their type.
  // The Security Hub sink imports into this account's Security Hub, whatever account the
  // incident is in (BatchImportFindings takes only the caller's own findings).
  const ticketSettings = $util
    .all([
      identity.accountId,
      $util.all(sinkSecretArns.map(([type, arn]) => $util.all([type, arn]))),
    ])
    .apply(([account, pairs]) => {
      const created = Object.fromEntries(pairs) as Record<string, string>;
      const resolved = withStageSecrets(settings.tickets, (type) => created[type]);
      return JSON.stringify({
        ...resolved,
        sinks: resolved.sinks.map((sink) =>
          sink.type === 'securityhub' && !sink.account ? { ...sink, account } : sink,
        ),
      });
    });

  const environment = {
    TOURNIQUET_CONFIG: JSON.stringify(settings.runtimeConfig ?? settings.config),
    TOURNIQUET_APPROVALS: JSON.stringify(settings.approvals),
    TICKET_SETTINGS: ticketSettings,
    INCIDENTS_TABLE: tables.incidents.name,
    APPROVALS_TABLE: tables.approvals.name,
    TASK_TOKEN_KEY: tables.keys.taskTokens.arn,
    ...(credentials.slack ? { SLACK_SECRET_ID: credentials.slack.arn } : {}),
    PLAYBOOK_STATE_MACHINES: $jsonStringify(stateMachineArns),
  };
  // The Slack endpoint exists only with Slack configured; without it approvals are decided with
  // `tourniquet approve|deny`.
  const deployed = FUNCTION_NAMES.filter(
    (n) => n !== 'slack-interactions' || settings.approvals.slack !== undefined,
  );
  // Only triage plans: the policy goes to it alone (without one it plans with the built-in policy).
  const own = settings.policy
    ? { triage: { TOURNIQUET_POLICY: JSON.stringify(settings.policy) } }
    : {};
  const fns = functions(deployed, scope, environment, settings.reservedConcurrency, reaches, own);
  const copies = Object.values(fns.copies).flatMap((c) => Object.values(c));
  const arns: $util.Output<PlaybookFunctions> = $util
    .all(deployed.map((n) => fns.functions[n].arn))
    .apply((list) => {
      const byName = Object.fromEntries(deployed.map((n, i) => [n, list[i] as string])) as Record<
        FunctionName,
        string
      >;
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
    [...deployed.map((n) => fns.functions[n].arn), ...copies.map((f) => f.arn)],
    settings.approvalTimeoutSeconds,
    partition.partition,
    reaches.map((r) => ({ key: r.key, arns: withCopies(arns, fns.copies[r.key] ?? {}) })),
  );
  routing(fns.functions, dlq);
  const url = settings.approvals.slack ? slackEndpoint(fns.functions['slack-interactions']) : null;
  const decisions = decisionEndpoint(fns.functions.decide);
  taskTokenKeyPolicy(tables.keys.taskTokens, identity.accountId, partition.partition, {
    seal: [fns.roles['request-approval']],
    unseal: [
      fns.roles.decide,
      ...(settings.approvals.slack ? [fns.roles['slack-interactions']] : []),
    ],
  });
  const homeBus = $interpolate`arn:${partition.partition}:events:${region.name}:${identity.accountId}:event-bus/default`;
  forwarding(
    forwardingRegions(settings.homeRegion, [
      ...settings.forwardFrom,
      ...settings.config.clusters.map((c) => c.region),
    ]),
    homeBus,
    providerFor,
  );
  untrackGroups(settings.config.clusters, providerFor);
  denyAllInstanceProfile();
  if (settings.accessEntries) eksAccess(settings.config.clusters, fns.roles, providerFor);
  if (settings.runtimeConfig?.accounts)
    hubMembers(settings.runtimeConfig, fns.roles, homeBus, partition.partition);
  const topic = alarms(
    dlq,
    machines,
    {
      ...fns.functions,
      ...Object.fromEntries(
        Object.entries(fns.copies).flatMap(([key, set]) =>
          Object.entries(set).map(([n, f]) => [`${n}-${key}`, f]),
        ),
      ),
    },
    settings.alarmEmail,
  );
  const board = dashboard(region.name, dlq, machines);
  return {
    dashboard: board.dashboardName,
    slackInteractionsUrl: url?.functionUrl ?? null,
    decisionUrl: decisions.functionUrl,
    deadLetterQueue: dlq.url,
    alarmsTopic: topic.arn,
    stateMachines: Object.fromEntries(Object.entries(machines).map(([n, m]) => [n, m.arn])),
  };
}

/** Secrets the configuration names itself (name or ARN) for its ticket sinks. */
function ownSinkSecrets(sinks: StageSettings['tickets']['sinks']): string[] {
  return sinks
    .map((sink) => sink.credentialsSecret)
    .filter((name): name is string => typeof name === 'string' && name.length > 0);
}

/** A reach's playbook functions: its copies of the Kubernetes-using actions, the rest shared. */
function withCopies(
  arns: $util.Output<PlaybookFunctions>,
  copies: Partial<Record<FunctionName, aws.lambda.Function>>,
): $util.Output<PlaybookFunctions> {
  const entries = Object.entries(copies) as Array<[FunctionName, aws.lambda.Function]>;
  return $util.all([arns, $util.all(entries.map(([, f]) => f.arn))]).apply(([base, copied]) => ({
    ...base,
    actions: {
      ...base.actions,
      ...Object.fromEntries(entries.map(([n], i) => [n, copied[i] as string])),
    },
  }));
}
