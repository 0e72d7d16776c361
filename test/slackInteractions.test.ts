import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import {
  createApprovalTable,
  DynamoApprovalStore,
  StepFunctionsTaskCompleter,
} from '@tourniquet/aws';
import { MemoryIncidentStore } from '@tourniquet/core';
import type { SimulatedMessage } from '@tourniquet/simulators';
import { type SlackSimulator, signInteraction, startSlackSimulator } from '@tourniquet/simulators';
import {
  type ApprovalSettings,
  closeExpiredApprovals,
  createSlackMessenger,
  DECISION_BLOCK_ID,
  parseApprovalSettings,
  silentLog,
  UserGroupCache,
} from '@tourniquet/slack';
import { startDecisionEndpoint } from '@tourniquet/testkit';
import { TicketService } from '@tourniquet/tickets';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SlackConnection } from '../functions/lib/approvalSlack';
import {
  accountClients,
  enableStepFunctionsExecution,
  executionEnd,
  executionStatus,
  startWaitingExecution,
} from './helpers/approvalHarness';
import { useMoto } from './helpers/moto';

const context = {
  functionName: 'tourniquet-slack-interactions',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

const TABLE = 'tourniquet-approvals';

/**
 * The decision endpoint end to end: a real contain-pod approval gate waiting in moto's Step
 * Functions, the request-approval Lambda handler posting through the Web API client to the Slack
 * simulator, the simulator clicking (signed, form-encoded, over HTTP to the Function URL
 * adapter), and the interactions Lambda handler deciding against DynamoDB and Step Functions.
 */
describe('Endpoint: Slack interactions', () => {
  const moto = useMoto();
  let dynamo: DynamoDBClient;
  let settings: ApprovalSettings;
  let handlers: {
    request: typeof import('../functions/lib/approvalRequestHandler');
    interactions: typeof import('../functions/lib/approvalInteractionsHandler');
    powertools: typeof import('../functions/lib/powertools');
  };
  const servers: Array<{ stop(): Promise<void> }> = [];
  let scenarios = 0;

  beforeAll(async () => {
    Object.assign(process.env, {
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const aws = moto();
    await enableStepFunctionsExecution(aws.endpoint);
    dynamo = new DynamoDBClient(aws);
    settings = parseApprovalSettings({
      slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserGroup: 'S0ONCALLGRP' },
    });
    // A Lambda handler reads its environment when loaded: load it afresh, as a cold start
    // does, not as another file of this worker left it.
    vi.resetModules();
    handlers = {
      request: await import('../functions/lib/approvalRequestHandler'),
      interactions: await import('../functions/lib/approvalInteractionsHandler'),
      powertools: await import('../functions/lib/powertools'),
    };
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  const [alice, bob, mallory] = [
    { id: 'U0ONCALL001', name: 'alice.oncall' },
    { id: 'U0ONCALL002', name: 'bob.oncall' },
    { id: 'U0BYSTANDR1', name: 'mallory' },
  ];

  /**
   * One waiting execution (in its own moto account), its approval requested through the
   * request-approval handler, and a decision endpoint for it. `shown` is the message as first
   * posted, so later clicks can press buttons a decision has since removed (a stale client).
   */
  async function scenario(options: { settings?: ApprovalSettings; clock?: () => Date } = {}) {
    scenarios += 1;
    // Everything a decision touches is the scenario's own: account, table, Slack workspace and
    // incident store, so no test sees another's requests, messages or audit entries.
    const account = `0000000001${String(scenarios).padStart(2, '0')}`;
    const table = `${TABLE}-${scenarios}`;
    await createApprovalTable(dynamo, table);
    const store = new DynamoApprovalStore({ client: dynamo, tableName: table });
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
    const incidents = new MemoryIncidentStore();
    const recorder = new TicketService({ store: incidents, sinks: [], actor: 'test' });
    const incidentApprovals = async (key: string) => (await incidents.get(key))?.incident;
    const clients = accountClients(moto(), account);
    const { executionArn, request } = await startWaitingExecution(clients, `gate-${scenarios}`);
    const used = options.settings ?? settings;
    const { logger, metrics, tracer } = handlers.powertools;
    const requestHandler = handlers.request.createRequestApprovalHandler({
      store,
      incidents: recorder,
      settings: used,
      slack: async () => connection,
      logger,
      metrics,
      tracer,
    });
    const { approvalId, posted } = await requestHandler(request, context);
    expect(posted).toBe(true);
    const interactions = handlers.interactions.createSlackInteractionsHandler({
      store,
      completer: new StepFunctionsTaskCompleter(clients.sfn),
      incidents: recorder,
      slackSettings: used.slack as NonNullable<ApprovalSettings['slack']>,
      consoleDomain: used.consoleDomain,
      slack: async () => connection,
      logger,
      metrics,
      tracer,
      ...(options.clock ? { now: options.clock } : {}),
    });
    const server = await startDecisionEndpoint((event) => interactions(event as never, context));
    servers.push(server);
    const record = (await store.get(approvalId)) as NonNullable<
      Awaited<ReturnType<typeof store.get>>
    >;
    const message = simulator.record.find(
      record.message?.channel ?? '',
      record.message?.ts ?? '',
    ) as SimulatedMessage;
    const shown = structuredClone(message);
    const click = (
      user: { id: string; name: string },
      choice: 'approve' | 'deny',
      extra: { timestamp?: number; signingSecret?: string } = {},
    ) => simulator.click({ message: shown, choice, user, to: server.url, ...extra });
    return {
      approvalId,
      executionArn,
      request,
      message,
      sfn: clients.sfn as SFNClient,
      url: server.url,
      click,
      store,
      simulator,
      connection,
      /** The incident side: approval requests and decisions go on the incident's record. */
      incidentApprovals,
    };
  }

  const stillWaiting = async (sfn: SFNClient, executionArn: string) =>
    expect((await executionStatus(sfn, executionArn)).status).toBe('RUNNING');

  it('a valid approval ends the wait: the playbook continues as approved, the message says who', async () => {
    const s = await scenario();
    const answer = await s.click(alice, 'approve');
    expect(answer).toMatchObject({ status: 200, body: { ok: true, result: 'approved' } });
    const end = await executionEnd(s.sfn, s.executionArn);
    expect(end.status).toBe('SUCCEEDED');
    expect(end.output.approvalStatus).toBe('approved');
    expect(end.output.approvalDecision).toMatchObject({
      decision: 'approved',
      by: 'slack:U0ONCALL001',
    });
    expect(JSON.stringify(s.message.blocks)).toContain('✅ *Approved* by <@U0ONCALL001>');
    expect(s.message.blocks.some((b: any) => b.block_id === DECISION_BLOCK_ID)).toBe(false);
    const record = await s.store.get(s.approvalId);
    expect(record).toMatchObject({ status: 'approved', taskToken: null });
    expect(record?.completedAt).toBeTruthy();
    const trail = await s.store.auditTrail(s.request.incidentKey);
    expect(trail.filter((e) => e.approvalId === s.approvalId).map((e) => e.result)).toEqual([
      'requested',
      'posted',
      'approved',
    ]);
    const incident = await s.incidentApprovals(s.request.incidentKey);
    expect(incident?.approvals.at(-1)).toMatchObject({
      decision: 'approved',
      by: 'slack:U0ONCALL001',
    });
    expect(incident?.status).not.toBe('awaiting-approval');
  });

  it('a valid denial ends the wait with ApprovalDenied: the playbook skips the steps', async () => {
    const s = await scenario();
    const answer = await s.click(bob, 'deny');
    expect(answer).toMatchObject({ status: 200, body: { result: 'denied' } });
    const end = await executionEnd(s.sfn, s.executionArn);
    expect(end.output.approvalStatus).toBe('denied');
    expect(end.output.approvalDecision).toMatchObject({ Error: 'ApprovalDenied' });
    expect(JSON.stringify(s.message.blocks)).toContain('⛔ *Denied* by <@U0ONCALL002>');
    const incident = await s.incidentApprovals(s.request.incidentKey);
    expect(incident?.approvals.at(-1)).toMatchObject({
      decision: 'denied',
      by: 'slack:U0ONCALL002',
    });
  });

  it('a bad signature is refused with 401, logged and counted but not stored; the execution keeps waiting', async () => {
    const s = await scenario();
    const before = (await s.store.unattributedAudit(new Date())).length;
    const counted = vi.spyOn(handlers.powertools.metrics, 'addMetric');
    const forged = await s.click(alice, 'approve', {
      signingSecret: 'not-the-signing-secret-0000',
    });
    expect(forged).toMatchObject({ status: 401, body: { ok: false, result: 'bad-signature' } });
    const real = signInteraction({ type: 'block_actions' }, s.simulator.signingSecret);
    const tampered = await s.simulator.resend(
      { ...real, body: real.body.replace('block_actions', 'block_actionz') },
      s.url,
    );
    expect(tampered).toMatchObject({ status: 401, body: { result: 'bad-signature' } });
    const unsigned = await fetch(s.url, { method: 'POST', body: 'payload={}' });
    expect(unsigned.status).toBe(401);
    await stillWaiting(s.sfn, s.executionArn);
    expect((await s.store.get(s.approvalId))?.status).toBe('pending');
    // Anyone can send these: storing them would let the internet fill the table.
    expect((await s.store.unattributedAudit(new Date())).length).toBe(before);
    expect(counted.mock.calls.filter(([name]) => name === 'PreAuthRejections')).toHaveLength(3);
    counted.mockRestore();
  });

  it('a stale timestamp is refused with 401 even when correctly signed', async () => {
    const s = await scenario();
    const answer = await s.click(alice, 'approve', {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    expect(answer).toMatchObject({ status: 401, body: { result: 'stale-timestamp' } });
    await stillWaiting(s.sfn, s.executionArn);
  });

  it('a replay of a valid request changes nothing and is answered 409', async () => {
    const s = await scenario();
    const first = await s.click(alice, 'approve');
    expect(first.status).toBe(200);
    const before = await s.store.get(s.approvalId);
    const replay = await s.simulator.resend(first.request, s.url);
    expect(replay).toMatchObject({ status: 409, body: { result: 'replayed' } });
    expect(await s.store.get(s.approvalId)).toEqual(before);
    const trail = await s.store.auditTrail(s.request.incidentKey);
    expect(trail.filter((e) => e.approvalId === s.approvalId).map((e) => e.result)).toContain(
      'replayed',
    );
  });

  it('an unauthorised user is refused with 403 and told why; an approver can still decide', async () => {
    const s = await scenario();
    const answer = await s.click(mallory, 'approve');
    expect(answer).toMatchObject({ status: 403, body: { result: 'unauthorised' } });
    await stillWaiting(s.sfn, s.executionArn);
    expect(s.simulator.record.ephemerals.at(-1)).toMatchObject({
      user: mallory.id,
      channel: 'C0INCIDENTS',
    });
    const audit = (await s.store.auditTrail(s.request.incidentKey)).filter(
      (e) => e.result === 'unauthorised',
    );
    expect(audit.at(-1)?.actor?.id).toBe('slack:U0BYSTANDR1');
    expect((await s.click(alice, 'approve')).status).toBe(200);
    expect((await executionEnd(s.sfn, s.executionArn)).output.approvalStatus).toBe('approved');
  });

  it('a double click (or a late deny) is answered 409 and does not change the decision', async () => {
    const s = await scenario();
    expect((await s.click(alice, 'approve')).status).toBe(200);
    const second = await s.click(bob, 'approve');
    expect(second).toMatchObject({ status: 409, body: { result: 'already-decided' } });
    const lateDeny = await s.click(bob, 'deny');
    expect(lateDeny).toMatchObject({ status: 409, body: { result: 'already-decided' } });
    const end = await executionEnd(s.sfn, s.executionArn);
    expect(end.output.approvalDecision).toMatchObject({
      decision: 'approved',
      by: 'slack:U0ONCALL001',
    });
    expect((await s.store.get(s.approvalId))?.decidedBy?.id).toBe('slack:U0ONCALL001');
  });

  it('after the wait timed out, escalation closes the stale request: expired, buttons gone, a late click is 410', async () => {
    const s = await scenario();
    const deps = (at: Date) => ({
      store: s.store,
      slack: s.connection.messenger,
      consoleDomain: settings.consoleDomain,
      now: () => at,
      log: silentLog,
    });
    // Not yet due: left alone, still decidable.
    expect(await closeExpiredApprovals(s.request.incidentKey, deps(new Date()))).toEqual([]);
    expect((await s.store.get(s.approvalId))?.status).toBe('pending');
    const later = new Date(Date.now() + 901_000);
    expect(await closeExpiredApprovals(s.request.incidentKey, deps(later))).toEqual([s.approvalId]);
    expect((await s.store.get(s.approvalId))?.status).toBe('expired');
    expect(JSON.stringify(s.message.blocks)).toContain('Expired');
    expect(s.message.blocks.some((b: any) => b.block_id === DECISION_BLOCK_ID)).toBe(false);
    expect((await s.click(alice, 'approve')).status).toBe(410);
    // Once closed, closing again changes nothing.
    expect(await closeExpiredApprovals(s.request.incidentKey, deps(later))).toEqual([]);
    const trail = await s.store.auditTrail(s.request.incidentKey);
    expect(trail.some((e) => e.approvalId === s.approvalId && e.channel === 'system')).toBe(true);
  });

  it('a click after expiry is answered 410, marks the approval expired and leaves the timeout to Step Functions', async () => {
    const later = () => new Date(Date.now() + 901_000);
    const s = await scenario({ clock: later });
    const answer = await s.click(alice, 'approve', {
      timestamp: Math.floor(later().getTime() / 1000),
    });
    expect(answer).toMatchObject({ status: 410, body: { result: 'expired' } });
    await stillWaiting(s.sfn, s.executionArn);
    expect(await s.store.get(s.approvalId)).toMatchObject({ status: 'expired', taskToken: null });
    expect(JSON.stringify(s.message.blocks)).toContain('⌛ *Expired*');
  });

  it('a malformed payload, even correctly signed, is refused with 400', async () => {
    const s = await scenario();
    const notAClick = signInteraction(
      { type: 'view_submission', user: { id: alice.id } },
      s.simulator.signingSecret,
    );
    expect(await s.simulator.resend(notAClick, s.url)).toMatchObject({
      status: 400,
      body: { result: 'malformed' },
    });
    const body = 'payload=%7Bbroken';
    const ts = Math.floor(Date.now() / 1000);
    const { signSlackRequest } = await import('@tourniquet/slack');
    const garbage = await s.simulator.resend(
      {
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signSlackRequest(s.simulator.signingSecret, ts, body),
        },
      },
      s.url,
    );
    expect(garbage).toMatchObject({
      status: 400,
      body: { result: 'malformed', message: expect.stringContaining('not JSON') },
    });
    await stillWaiting(s.sfn, s.executionArn);
  });

  it('an oversized body is refused with 413 before it is read', async () => {
    const s = await scenario();
    const huge = signInteraction(
      { type: 'block_actions', padding: 'x'.repeat(200_000) },
      s.simulator.signingSecret,
    );
    expect(await s.simulator.resend(huge, s.url)).toMatchObject({
      status: 413,
      body: { result: 'too-large' },
    });
    await stillWaiting(s.sfn, s.executionArn);
  });

  it('under the two-person rule only a second, different approver moves the playbook', async () => {
    const twoPerson = parseApprovalSettings({
      twoPersonActions: ['cordon-node'],
      slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserGroup: 'S0ONCALLGRP' },
    });
    const s = await scenario({ settings: twoPerson });
    expect(await s.click(alice, 'approve')).toMatchObject({
      status: 200,
      body: { result: 'first-approval' },
    });
    await stillWaiting(s.sfn, s.executionArn);
    expect(JSON.stringify(s.message.blocks)).toContain('1 of 2 approvals: <@U0ONCALL001>');
    expect(await s.click(alice, 'approve')).toMatchObject({
      status: 409,
      body: { result: 'repeat-approver' },
    });
    await stillWaiting(s.sfn, s.executionArn);
    expect(await s.click(bob, 'approve')).toMatchObject({
      status: 200,
      body: { result: 'approved' },
    });
    const end = await executionEnd(s.sfn, s.executionArn);
    expect(end.output.approvalDecision).toMatchObject({
      decision: 'approved',
      by: 'slack:U0ONCALL001 + slack:U0ONCALL002',
    });
  });

  it('answers a wrong method with 405', async () => {
    const s = await scenario();
    const response = await fetch(s.url, { method: 'GET' });
    expect(response.status).toBe(405);
    await stillWaiting(s.sfn, s.executionArn);
  });
});
