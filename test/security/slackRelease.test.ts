import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import {
  createApprovalTable,
  DynamoActionJournal,
  DynamoApprovalStore,
  DynamoIncidentStore,
  ensureIncidentTable,
  StepFunctionsTaskCompleter,
} from '@tourniquet/aws';
import {
  functionArnsFor,
  type IncidentEvent,
  type PlaybookInput,
  parseConfig,
  playbookDefinition,
} from '@tourniquet/core';
import {
  interactionPayload,
  type SimulatedMessage,
  type SlackSimulator,
  signInteraction,
  startSlackSimulator,
} from '@tourniquet/simulators';
import {
  type ApprovalSettings,
  createSlackMessenger,
  parseApprovalSettings,
  RELEASE_BLOCK_ID,
  UserGroupCache,
} from '@tourniquet/slack';
import { startDecisionEndpoint } from '@tourniquet/testkit';
import { TicketService } from '@tourniquet/tickets';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SlackConnection } from '../../functions/lib/approvalSlack';
import {
  accountClients,
  enableStepFunctionsExecution,
  executionEnd,
  executionStatus,
  startWaitingExecution,
} from '../helpers/approvalHarness';
import { REPO_ROOT } from '../helpers/events';
import { useMoto } from '../helpers/moto';

const context = {
  functionName: 'tourniquet-slack-interactions',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

const [alice, bob, mallory] = [
  { id: 'U0ONCALL001', name: 'alice.oncall' },
  { id: 'U0ONCALL002', name: 'bob.oncall' },
  { id: 'U0BYSTANDR1', name: 'mallory' },
];
const OTHER_INCIDENT = '123456789012:us-east-1:prod-eks-01:pod:payments/someone-else-0';

/**
 * The Release button end to end: a contain-pod approval gate waiting in moto's Step Functions,
 * its request posted by the request-approval handler to the Slack simulator and decided there;
 * then Release clicked (signed, over HTTP) on the decided message, and the interactions handler
 * starting the release playbook's own approval gate (moto), whose request is posted and decided
 * in Slack like any destructive step. The incident and its step journal are in DynamoDB.
 */
describe('Slack: the Release button', () => {
  const moto = useMoto();
  let dynamo: DynamoDBClient;
  let handlers: {
    request: typeof import('../../functions/lib/approvalRequestHandler');
    interactions: typeof import('../../functions/lib/approvalInteractionsHandler');
    release: typeof import('../../functions/lib/releaseStarter');
    powertools: typeof import('../../functions/lib/powertools');
  };
  const servers: Array<{ stop(): Promise<void> }> = [];
  let scenarios = 0;
  const clusters = parseConfig(
    JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
  ).clusters;
  const slackOnly = parseApprovalSettings({
    slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserGroup: 'S0ONCALLGRP' },
  });

  beforeAll(async () => {
    Object.assign(process.env, {
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.DEBUG_LOG ?? 'SILENT',
    });
    const aws = moto();
    await enableStepFunctionsExecution(aws.endpoint);
    dynamo = new DynamoDBClient(aws);
    // A Lambda handler reads its environment when loaded: load it afresh, as a cold start
    // does, not as another file of this worker left it.
    vi.resetModules();
    handlers = {
      request: await import('../../functions/lib/approvalRequestHandler'),
      interactions: await import('../../functions/lib/approvalInteractionsHandler'),
      release: await import('../../functions/lib/releaseStarter'),
      powertools: await import('../../functions/lib/powertools'),
    };
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  /**
   * A contained incident (unless `contained: false`): its record and its step journal, the
   * containment's approval posted and waiting, and the endpoint that decides it and releases.
   */
  async function scenario(options: { settings?: ApprovalSettings; contained?: boolean } = {}) {
    scenarios += 1;
    const account = `0000000002${String(scenarios).padStart(2, '0')}`;
    const settings = options.settings ?? slackOnly;
    const approvalsTable = `release-approvals-${scenarios}`;
    const incidentsTable = `release-incidents-${scenarios}`;
    await createApprovalTable(dynamo, approvalsTable);
    await ensureIncidentTable(dynamo, incidentsTable);
    const store = new DynamoApprovalStore({ client: dynamo, tableName: approvalsTable });
    const incidents = new DynamoIncidentStore({ client: dynamo, tableName: incidentsTable });
    const journal = new DynamoActionJournal({ client: dynamo, tableName: incidentsTable });
    const simulator: SlackSimulator = await startSlackSimulator();
    servers.push(simulator);
    const messenger = createSlackMessenger({
      botToken: simulator.botToken,
      apiUrl: simulator.apiUrl,
    });
    const connection: SlackConnection = {
      secret: { botToken: simulator.botToken, signingSecret: simulator.signingSecret },
      messenger,
      groups: new UserGroupCache(messenger),
    };
    const clients = accountClients(moto(), account);
    const { executionArn, request } = await startWaitingExecution(clients, `contain-${scenarios}`);
    const key = request.incidentKey;
    await seedIncident(incidents, journal, key, options.contained ?? true);
    await seedIncident(incidents, journal, OTHER_INCIDENT, true);
    // moto runs one execution per account: the release starts in an account of its own.
    const releaseClients = accountClients(
      moto(),
      `0000000003${String(scenarios).padStart(2, '0')}`,
    );
    const { stateMachineArn: releaseArn } = await releaseClients.sfn.send(
      new CreateStateMachineCommand({
        name: `tourniquet-test-release-${scenarios}`,
        roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
        definition: JSON.stringify(playbookDefinition('release', functionArnsFor('tourniquet'))),
      }),
    );
    const release = { stateMachineArn: releaseArn as string };
    const { logger, metrics, tracer } = handlers.powertools;
    const recorder = new TicketService({ store: incidents, sinks: [], actor: 'test' });
    const requestHandler = handlers.request.createRequestApprovalHandler({
      store,
      incidents: recorder,
      settings,
      slack: async () => connection,
      logger,
      metrics,
      tracer,
    });
    const { approvalId } = await requestHandler(request, context);
    const interactions = handlers.interactions.createSlackInteractionsHandler({
      store,
      completer: new StepFunctionsTaskCompleter(clients.sfn),
      incidents: recorder,
      slackSettings: settings.slack as NonNullable<ApprovalSettings['slack']>,
      people: settings.people,
      consoleDomain: settings.consoleDomain,
      slack: async () => connection,
      release: handlers.release.createReleaseStarter({
        store: incidents,
        journal,
        sfn: releaseClients.sfn,
        clusters,
        stateMachines: { release: release.stateMachineArn },
      }),
      logger,
      metrics,
      tracer,
    });
    const server = await startDecisionEndpoint((event) => interactions(event as never, context));
    servers.push(server);
    const messageOf = async (id: string) => {
      const record = await store.get(id);
      return simulator.record.find(
        record?.message?.channel ?? '',
        record?.message?.ts ?? '',
      ) as SimulatedMessage;
    };
    const message = await messageOf(approvalId);
    const click = (
      shown: SimulatedMessage,
      user: { id: string; name: string },
      choice: 'approve' | 'deny' | 'release',
      extra: { signingSecret?: string; value?: string } = {},
    ) => simulator.click({ message: shown, choice, user, to: server.url, ...extra });
    const releases = async () =>
      (
        await releaseClients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: release.stateMachineArn }),
        )
      ).executions ?? [];
    /** Signs and sends a payload as Slack would (the attacker controls nothing Slack signs). */
    const send = (payload: unknown) =>
      simulator.resend(signInteraction(payload, simulator.signingSecret), server.url);
    return {
      key,
      approvalId,
      executionArn,
      message,
      messageOf,
      click,
      send,
      releases,
      release,
      /** What the release playbook's Request approval Task sends (its Payload, from the input). */
      releaseRequest: async () => {
        const [execution] = await releases();
        const input = await inputOf(releaseClients.sfn, execution?.executionArn as string);
        return {
          taskToken: 'release-task-token-not-completed-in-this-test',
          executionArn: execution?.executionArn,
          incidentKey: input.incidentKey,
          playbook: input.playbook,
          actions: input.approval.actions,
          steps: input.steps,
          resolved: input.resolved,
          finding: input.finding,
          results: input.results,
          expiresInSeconds: 900,
        };
      },
      sfn: clients.sfn as SFNClient,
      releaseSfn: releaseClients.sfn as SFNClient,
      url: server.url,
      clients,
      store,
      simulator,
      requestHandler,
    };
  }

  type Scenario = Awaited<ReturnType<typeof scenario>>;

  /** Containment decided (approved by alice unless told otherwise): the message offers Release. */
  async function decided(s: Scenario, by = alice, choice: 'approve' | 'deny' = 'approve') {
    expect((await s.click(structuredClone(s.message), by, choice)).status).toBe(200);
    await executionEnd(s.sfn, s.executionArn);
    const shown = await s.messageOf(s.approvalId);
    expect(shown.blocks.some((b: any) => b.block_id === RELEASE_BLOCK_ID)).toBe(true);
    return structuredClone(shown);
  }

  describe('what it does', () => {
    it('after containment, Release starts the release playbook for the recorded incident, which waits for its own approval in Slack', async () => {
      const s = await scenario();
      const shown = await decided(s, alice, 'deny');
      const answer = await s.click(shown, bob, 'release');
      expect(answer).toMatchObject({
        status: 200,
        body: { ok: true, result: 'release-requested' },
      });
      const [execution] = await s.releases();
      const input = await inputOf(s.releaseSfn, execution?.executionArn as string);
      expect(input).toMatchObject({ playbook: 'release', incidentKey: s.key });
      expect([...input.approval.actions].sort()).toEqual(['cordon-node', 'isolate-pod']);
      // The journal's state before each change never travels in the input.
      expect(JSON.stringify(input)).not.toContain('sg-0before');
      expect(s.simulator.record.ephemerals.at(-1)).toMatchObject({ user: bob.id });
      // The release's own approval request, as its Task sends it: posted like any other, and
      // its message offers no second release.
      const request = await s.releaseRequest();
      expect(request).toMatchObject({ playbook: 'release', incidentKey: s.key });
      const { approvalId, posted } = await s.requestHandler(request, context);
      expect(posted).toBe(true);
      const releaseMessage = await s.messageOf(approvalId);
      expect(JSON.stringify(releaseMessage.blocks)).toContain('Approval needed');
      expect(releaseMessage.blocks.some((b: any) => b.block_id === RELEASE_BLOCK_ID)).toBe(false);
      const trail = await s.store.auditTrail(s.key);
      expect(trail.find((e) => e.choice === 'release')).toMatchObject({
        result: 'release-requested',
        outcome: 'accepted',
        actor: { id: `slack:${bob.id}` },
        approvalId: s.approvalId,
      });
    });
  });

  describe('red team', () => {
    it('a forged Release click (not signed with the signing secret) starts nothing', async () => {
      const s = await scenario();
      const shown = await decided(s);
      const forged = await s.click(shown, alice, 'release', {
        signingSecret: 'not-the-signing-secret-0000',
      });
      expect(forged).toMatchObject({ status: 401, body: { result: 'bad-signature' } });
      expect(await s.releases()).toEqual([]);
    });

    it('a replayed Release click starts no second release and is answered 409', async () => {
      const s = await scenario();
      const shown = await decided(s);
      const first = await s.click(shown, alice, 'release');
      expect(first.status).toBe(200);
      const replay = await s.simulator.resend(first.request, s.url);
      expect(replay).toMatchObject({ status: 409, body: { result: 'replayed' } });
      expect(await s.releases()).toHaveLength(1);
    });

    it('a Release click whose payload names another incident releases only the incident of its approval record', async () => {
      const s = await scenario();
      const shown = await decided(s);
      const payload = interactionPayload(s.simulator.workspace, {
        message: shown,
        choice: 'release',
        user: bob,
      }) as any;
      // Everything in the payload outside the signed button value is ignored; even the value
      // only names an approval, whose record names the incident.
      payload.incident_key = OTHER_INCIDENT;
      payload.incidentKey = OTHER_INCIDENT;
      payload.actions[0].incidentKey = OTHER_INCIDENT;
      payload.state = { values: { incident: { key: { value: OTHER_INCIDENT } } } };
      payload.message.blocks = [
        { type: 'section', text: { type: 'mrkdwn', text: OTHER_INCIDENT } },
      ];
      expect(await s.send(payload)).toMatchObject({ status: 200 });
      const executions = await s.releases();
      expect(executions).toHaveLength(1);
      const input = await inputOf(s.releaseSfn, executions[0]?.executionArn as string);
      expect(input.incidentKey).toBe(s.key);
      expect(JSON.stringify(input)).not.toContain('someone-else-0');
    });

    it('a Release button value carrying an incident key instead of an approval id is refused', async () => {
      const s = await scenario();
      const shown = await decided(s);
      const answer = await s.click(shown, bob, 'release', { value: OTHER_INCIDENT });
      expect(answer).toMatchObject({ status: 400, body: { result: 'malformed' } });
      expect(await s.releases()).toEqual([]);
    });

    it('a Release click copied to another channel starts nothing', async () => {
      const s = await scenario();
      const shown = await decided(s);
      const payload = interactionPayload(s.simulator.workspace, {
        message: shown,
        choice: 'release',
        user: bob,
      }) as any;
      payload.container.channel_id = 'C0ELSEWHERE';
      payload.channel.id = 'C0ELSEWHERE';
      expect(await s.send(payload)).toMatchObject({ status: 400, body: { result: 'malformed' } });
      expect(await s.releases()).toEqual([]);
    });

    it('a Release click by someone who is not an approver starts nothing', async () => {
      const s = await scenario();
      const shown = await decided(s);
      const answer = await s.click(shown, mallory, 'release');
      expect(answer).toMatchObject({ status: 403, body: { result: 'unauthorised' } });
      expect(await s.releases()).toEqual([]);
    });

    it('a Release click for an incident with no containment in force starts nothing', async () => {
      const s = await scenario({ contained: false });
      const shown = await decided(s);
      const answer = await s.click(shown, bob, 'release');
      expect(answer).toMatchObject({ status: 409, body: { result: 'nothing-to-release' } });
      expect(await s.releases()).toEqual([]);
      expect(s.simulator.record.ephemerals.at(-1)?.text).toContain('Nothing to release');
    });

    it('a Release click on an approval still pending is refused: the containment is decided first', async () => {
      const s = await scenario();
      const payload = interactionPayload(s.simulator.workspace, {
        message: structuredClone(s.message),
        choice: 'approve',
        user: bob,
      }) as any;
      payload.actions[0].action_id = 'tourniquet_release';
      expect(await s.send(payload)).toMatchObject({
        status: 409,
        body: { result: 'release-refused' },
      });
      expect(await s.releases()).toEqual([]);
      expect((await executionStatus(s.sfn, s.executionArn)).status).toBe('RUNNING');
    });

    it('a Release click on the release approval itself starts no second release', async () => {
      const s = await scenario();
      const shown = await decided(s);
      expect((await s.click(shown, bob, 'release')).status).toBe(200);
      const { approvalId } = await s.requestHandler(await s.releaseRequest(), context);
      const payload = interactionPayload(s.simulator.workspace, {
        message: structuredClone(await s.messageOf(approvalId)),
        choice: 'approve',
        user: bob,
      }) as any;
      payload.actions[0].action_id = 'tourniquet_release';
      expect(await s.send(payload)).toMatchObject({
        status: 409,
        body: { result: 'release-refused' },
      });
      expect(await s.releases()).toHaveLength(1);
    });

    it('under the two-person rule the person who requested a release cannot approve it alone', async () => {
      const twoPerson = parseApprovalSettings({
        twoPersonActions: ['cordon-node'],
        slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserGroup: 'S0ONCALLGRP' },
      });
      const s = await scenario({ settings: twoPerson });
      expect((await s.click(structuredClone(s.message), alice, 'approve')).status).toBe(200);
      const shown = await decided(s, bob);
      expect((await s.click(shown, alice, 'release')).status).toBe(200);
      const { approvalId } = await s.requestHandler(await s.releaseRequest(), context);
      const releaseMessage = structuredClone(await s.messageOf(approvalId));
      expect(JSON.stringify(releaseMessage.blocks)).toContain('2 different approvers');
      expect(await s.click(releaseMessage, alice, 'approve')).toMatchObject({
        status: 200,
        body: { result: 'first-approval' },
      });
      expect(await s.click(releaseMessage, alice, 'approve')).toMatchObject({
        status: 409,
        body: { result: 'repeat-approver' },
      });
      expect(await s.store.get(approvalId)).toMatchObject({ status: 'pending', approvals: [{}] });
    });
  });
});

async function inputOf(sfn: SFNClient, executionArn: string) {
  return JSON.parse(
    (await sfn.send(new DescribeExecutionCommand({ executionArn }))).input ?? '{}',
  ) as PlaybookInput;
}

/** An incident with (or without) containment recorded in its step journal. */
async function seedIncident(
  incidents: DynamoIncidentStore,
  journal: DynamoActionJournal,
  key: string,
  contained: boolean,
) {
  const [account, region, cluster, , target] = key.split(':') as string[];
  const [namespace, name] = (target as string).split('/') as [string, string];
  const opened: IncidentEvent = {
    type: 'opened',
    title: `Execution:Runtime/ReverseShell on pod ${namespace}/${name}`,
    severity: 'HIGH',
    account: account as string,
    region: region as string,
    cluster: cluster as string,
    subject: `pod ${namespace}/${name}`,
  };
  await incidents.append(key, null, [opened], { actor: 'triage', at: new Date().toISOString() });
  if (!contained) return;
  const at = new Date();
  await journal.record(
    {
      incidentKey: key,
      action: 'isolate-pod',
      target: `pod/${namespace}/${name}`,
      cluster: cluster as string,
      region: region as string,
      subject: { kind: 'pod', namespace, name, uid: 'u-1' },
      before: { eni: 'eni-0before', groups: ['sg-0before'] },
    },
    at,
  );
  await journal.record(
    {
      incidentKey: key,
      action: 'cordon-node',
      target: 'node/i-0123456789abcdef0',
      cluster: cluster as string,
      region: region as string,
      subject: { kind: 'node', instanceId: 'i-0123456789abcdef0' },
      before: { unschedulable: false },
    },
    at,
  );
}
