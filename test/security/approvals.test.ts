import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  createApprovalTable,
  DynamoApprovalStore,
  KmsTaskTokenSealer,
  presignDecision,
  StepFunctionsTaskCompleter,
} from '@tourniquet/aws';
import { approveCommand, denyCommand } from '@tourniquet/cli';
import {
  MemoryIncidentStore,
  matchesApproverArn,
  type TaskCompleter,
  TaskCompletionError,
} from '@tourniquet/core';
import type { SimulatedMessage } from '@tourniquet/simulators';
import {
  interactionPayload,
  type SlackSimulator,
  signInteraction,
  startSlackSimulator,
} from '@tourniquet/simulators';
import {
  type ApprovalSettings,
  createSlackMessenger,
  parseApprovalSettings,
  UserGroupCache,
} from '@tourniquet/slack';
import {
  type DecisionEndpointServer,
  type StsGateway,
  startDecisionEndpoint,
  startStsGateway,
} from '@tourniquet/testkit';
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
import { TEST_CREDENTIALS, useMoto } from '../helpers/moto';

const context = {
  functionName: 'tourniquet-approvals',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
const TABLE = 'tourniquet-approvals';
const ACCOUNT = '123456789012';
const ON_CALL = `arn:aws:iam::${ACCOUNT}:role/SecOpsOnCall`;
const slack = { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserGroup: 'S0ONCALLGRP' };
const alice = { id: 'U0ONCALL001', name: 'alice.oncall' };

/**
 * Attacks on the approval path, each against the deployed code path: the request-approval and
 * decision handlers over HTTP, a contain-pod approval gate waiting in moto's Step Functions,
 * STS (moto behind the gateway that verifies SigV4 like STS) and the Slack simulator.
 */
describe('Security: approvals', () => {
  const moto = useMoto();
  let simulator: SlackSimulator;
  let sts: StsGateway | undefined;
  /** STS for the CLI attacks, started on first use (the Slack attacks do not need it). */
  const gateway = async () => {
    sts ??= await startStsGateway({
      target: moto().endpoint,
      credentials: { [TEST_CREDENTIALS.accessKeyId]: TEST_CREDENTIALS.secretAccessKey },
    });
    return sts.url;
  };
  let shared: DynamoApprovalStore;
  let dynamo: DynamoDBClient;
  let connection: SlackConnection;
  let handlers: {
    request: typeof import('../../functions/lib/approvalRequestHandler');
    interactions: typeof import('../../functions/lib/approvalInteractionsHandler');
    powertools: typeof import('../../functions/lib/powertools');
  };
  const servers: DecisionEndpointServer[] = [];
  const recorder = new TicketService({
    store: new MemoryIncidentStore(),
    sinks: [],
    actor: 'test',
  });
  let scenarios = 0;
  const quiet = { stdout: () => {}, stderr: () => {}, cwd: tmpdir() };

  beforeAll(async () => {
    Object.assign(process.env, {
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const aws = moto();
    await enableStepFunctionsExecution(aws.endpoint);
    dynamo = new DynamoDBClient(aws);
    await createApprovalTable(dynamo, TABLE);
    shared = new DynamoApprovalStore({ client: dynamo, tableName: TABLE });
    simulator = await startSlackSimulator();
    const messenger = createSlackMessenger({
      botToken: simulator.botToken,
      apiUrl: simulator.apiUrl,
    });
    connection = {
      secret: { botToken: simulator.botToken, signingSecret: simulator.signingSecret },
      messenger,
      groups: new UserGroupCache(messenger),
    };
    // A Lambda handler reads its environment when loaded: load it afresh, as a cold start
    // does, not as another file of this worker left it.
    vi.resetModules();
    handlers = {
      request: await import('../../functions/lib/approvalRequestHandler'),
      interactions: await import('../../functions/lib/approvalInteractionsHandler'),
      powertools: await import('../../functions/lib/powertools'),
    };
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await sts?.stop();
    await simulator?.stop();
  });

  async function session(roleArn: string, name: string) {
    const client = new STSClient({
      endpoint: await gateway(),
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const { Credentials: c } = await client.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: name }),
    );
    const credentials = {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    };
    return { credentials: async () => credentials };
  }

  /** A waiting execution with its approval requested, and both deployed decision endpoints for it. */
  async function scenario(
    settings: ApprovalSettings,
    options: {
      completer?: (real: StepFunctionsTaskCompleter) => TaskCompleter;
      /** A store of the scenario's own (sealed tokens); the shared one otherwise. */
      store?: DynamoApprovalStore;
    } = {},
  ) {
    const store = options.store ?? shared;
    const completer = options.completer;
    scenarios += 1;
    const account = `0000000002${String(scenarios).padStart(2, '0')}`;
    const clients = accountClients(moto(), account);
    const { executionArn, request } = await startWaitingExecution(clients, `attack-${scenarios}`);
    const { logger, metrics, tracer } = handlers.powertools;
    const { approvalId } = await handlers.request.createRequestApprovalHandler({
      store,
      incidents: recorder,
      settings,
      slack: settings.slack ? async () => connection : null,
      logger,
      metrics,
      tracer,
    })(request, context);
    const real = new StepFunctionsTaskCompleter(clients.sfn as SFNClient);
    const used = completer ? completer(real) : real;
    const slackUrl = settings.slack
      ? (
          await startDecisionEndpoint((event) =>
            handlers.interactions.createSlackInteractionsHandler({
              store,
              completer: used,
              incidents: recorder,
              slackSettings: settings.slack as NonNullable<ApprovalSettings['slack']>,
              people: settings.people,
              consoleDomain: settings.consoleDomain,
              slack: async () => connection,
              logger,
              metrics,
              tracer,
            })(event as never, context),
          ).then((s) => {
            servers.push(s);
            return s;
          })
        ).url
      : '';
    let cliUrl: string | undefined;
    /** The deployed CLI decision function for this approval, started on first use. */
    const cli = async () => {
      if (cliUrl) return cliUrl;
      const { createDecisionHandler } = await import('../../functions/lib/decisionHandler');
      const localStsEndpoint = await gateway();
      const server = await startDecisionEndpoint((event) =>
        createDecisionHandler({
          store,
          completer: used,
          settings,
          incidents: recorder,
          slack: settings.slack ? async () => connection : null,
          logger,
          metrics,
          tracer,
          localStsEndpoint,
        })(event as never, context),
      );
      servers.push(server);
      cliUrl = server.url;
      return cliUrl;
    };
    const record = await store.get(approvalId);
    const message = record?.message
      ? // As first shown: later clicks press buttons a decision has since removed (a stale client).
        structuredClone(
          simulator.record.find(record.message.channel, record.message.ts) as SimulatedMessage,
        )
      : null;
    const cliDecide = async (
      verb: 'approve' | 'deny',
      who: Awaited<ReturnType<typeof session>>,
    ) => {
      const lines: string[] = [];
      const io = {
        stdout: (t: string) => lines.push(t),
        stderr: (t: string) => lines.push(t),
        cwd: tmpdir(),
      };
      const run = verb === 'approve' ? approveCommand : denyCommand;
      const code = await run(
        [approvalId, '--url', await cli(), '--sts-endpoint', await gateway(), '--json'],
        io,
        who,
      );
      return { code, answer: JSON.parse(lines.join('')) as { result: string; message: string } };
    };
    return {
      store,
      approvalId,
      executionArn,
      request,
      sfn: clients.sfn as SFNClient,
      slackUrl,
      cli,
      message,
      cliDecide,
    };
  }

  const running = async (sfn: SFNClient, executionArn: string) =>
    (await executionStatus(sfn, executionArn)).status === 'RUNNING';

  it('an unlisted identity cannot approve by passing its own config file that lists it', async () => {
    const s = await scenario(parseApprovalSettings({ cli: { approverArns: [ON_CALL] } }));
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-attack-'));
    const own = join(dir, 'mine.json');
    // The caller's own file lists every caller there is.
    writeFileSync(
      own,
      JSON.stringify({
        approvals: {
          cli: {
            approverArns: [
              `arn:aws:sts::${ACCOUNT}:user/*`,
              `arn:aws:iam::${ACCOUNT}:role/Developer`,
            ],
          },
        },
      }),
    );
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    });
    // The command as it used to be run: its own config, the table and STS straight from the laptop.
    const attempt = approveCommand(
      [
        s.approvalId,
        '--config',
        own,
        '--table',
        TABLE,
        '--region',
        'us-east-1',
        '--endpoint',
        moto().endpoint,
      ],
      quiet,
    );
    expect(await attempt.catch(() => 1)).not.toBe(0);
    // Nothing the caller's file says may touch the approval.
    expect((await s.store.get(s.approvalId))?.status).toBe('pending');
    // The way that remains: a proof of the caller's identity, judged by the deployed approvers.
    const mallory = await session(`arn:aws:iam::${ACCOUNT}:role/Developer`, 'mallory');
    expect(await s.cliDecide('approve', mallory)).toMatchObject({
      code: 1,
      answer: { result: 'unauthorised' },
    });
    expect(await running(s.sfn, s.executionArn)).toBe(true);
    expect((await s.store.get(s.approvalId))?.status).toBe('pending');
    const cliAttempts = (await s.store.auditTrail(s.request.incidentKey)).filter(
      (e) => e.channel === 'cli',
    );
    expect(cliAttempts.map((e) => e.result)).toEqual(['unauthorised']);
  });

  it('two sessions of one role (alice, alice-again) count as one approver under the two-person rule', async () => {
    const s = await scenario(
      parseApprovalSettings({
        twoPersonActions: ['cordon-node'],
        cli: { approverArns: [ON_CALL] },
      }),
    );
    const first = await s.cliDecide('approve', await session(ON_CALL, 'alice'));
    expect(first.answer.result).toBe('first-approval');
    const alias = await s.cliDecide('approve', await session(ON_CALL, 'alice-again'));
    expect(alias).toMatchObject({ code: 1, answer: { result: 'repeat-approver' } });
    expect(await running(s.sfn, s.executionArn)).toBe(true);
    expect((await s.store.get(s.approvalId))?.approvals).toHaveLength(1);
  });

  it('one person approving in Slack and again from the CLI counts once', async () => {
    const s = await scenario(
      parseApprovalSettings({
        twoPersonActions: ['cordon-node'],
        slack,
        cli: { approverArns: [ON_CALL] },
        people: {
          alice: {
            slack: [alice.id],
            aws: [`arn:aws:sts::${ACCOUNT}:assumed-role/SecOpsOnCall/alice`],
          },
        },
      }),
    );
    const click = await simulator.click({
      message: s.message as SimulatedMessage,
      choice: 'approve',
      user: alice,
      to: s.slackUrl,
    });
    expect(click.body).toMatchObject({ result: 'first-approval' });
    const again = await s.cliDecide('approve', await session(ON_CALL, 'alice'));
    expect(again.answer.result).toBe('repeat-approver');
    expect(await running(s.sfn, s.executionArn)).toBe(true);
  });

  it('an approver pattern assumed-role/OnCall* is refused at config load and never admits OnCallContractors', () => {
    const unanchored = `arn:aws:sts::${ACCOUNT}:assumed-role/OnCall*`;
    expect(() => parseApprovalSettings({ cli: { approverArns: [unanchored] } })).toThrow(
      /approvals\.cli\.approverArns\.0: '\*' is only allowed as the last path segment/,
    );
    const contractor = `arn:aws:sts::${ACCOUNT}:assumed-role/OnCallContractors/eve`;
    expect(matchesApproverArn(contractor, unanchored)).toBe(false);
    expect(matchesApproverArn(contractor, `arn:aws:sts::${ACCOUNT}:assumed-role/OnCall/*`)).toBe(
      false,
    );
    expect(
      matchesApproverArn(
        `arn:aws:sts::${ACCOUNT}:assumed-role/OnCall/eve`,
        `arn:aws:sts::${ACCOUNT}:assumed-role/OnCall/*`,
      ),
    ).toBe(true);
  });

  it('an approval whose SendTaskSuccess answer was lost is not reverted: a later deny is told it was approved', async () => {
    let lost = 0;
    const s = await scenario(parseApprovalSettings({ slack }), {
      completer: (real) => ({
        // Step Functions takes the approval, but its answer never comes back.
        async succeed(token, output) {
          await real.succeed(token, output);
          if (lost++ === 0) throw new TaskCompletionError('socket hang up: the answer was lost');
        },
        fail: (token, error, cause) => real.fail(token, error, cause),
        outcome: (arn) => real.outcome(arn),
      }),
    });
    const approve = await simulator.click({
      message: s.message as SimulatedMessage,
      choice: 'approve',
      user: alice,
      to: s.slackUrl,
    });
    expect(approve).toMatchObject({ status: 200, body: { result: 'approved' } });
    const bob = { id: 'U0ONCALL002', name: 'bob.oncall' };
    const deny = await simulator.click({
      message: s.message as SimulatedMessage,
      choice: 'deny',
      user: bob,
      to: s.slackUrl,
    });
    expect(deny).toMatchObject({
      status: 409,
      body: { result: 'already-decided', message: expect.stringContaining('already approved') },
    });
    expect((await s.store.get(s.approvalId))?.status).toBe('approved');
    expect((await executionEnd(s.sfn, s.executionArn)).output.approvalStatus).toBe('approved');
  });

  it('a signed Slack click without a channel is refused with 400', async () => {
    const s = await scenario(parseApprovalSettings({ slack }));
    const payload = interactionPayload(simulator.workspace, {
      message: s.message as SimulatedMessage,
      choice: 'approve',
      user: alice,
    });
    delete payload.channel;
    delete (payload.container as Record<string, unknown>).channel_id;
    const answer = await simulator.resend(
      signInteraction(payload, simulator.signingSecret),
      s.slackUrl,
    );
    expect(answer).toMatchObject({
      status: 400,
      body: { result: 'malformed', message: expect.stringContaining('payload.channel.id') },
    });
    expect(await running(s.sfn, s.executionArn)).toBe(true);
  });

  it('a signed Slack click without a team is refused with 400', async () => {
    const s = await scenario(parseApprovalSettings({ slack }));
    const payload = interactionPayload(simulator.workspace, {
      message: s.message as SimulatedMessage,
      choice: 'approve',
      user: alice,
    });
    delete payload.team;
    delete (payload.user as Record<string, unknown>).team_id;
    const answer = await simulator.resend(
      signInteraction(payload, simulator.signingSecret),
      s.slackUrl,
    );
    expect(answer).toMatchObject({
      status: 400,
      body: { result: 'malformed', message: expect.stringContaining('payload.team.id') },
    });
    expect(await running(s.sfn, s.executionArn)).toBe(true);
  });

  it('a flood of unsigned Slack requests writes nothing to the approvals table', async () => {
    const s = await scenario(parseApprovalSettings({ slack }));
    const before = (await s.store.unattributedAudit(new Date())).length;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => fetch(s.slackUrl, { method: 'POST', body: 'payload={}' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(401));
    expect((await s.store.unattributedAudit(new Date())).length).toBe(before);
  });

  it('a decision proof pointed at a host other than STS is refused without being fetched', async () => {
    const s = await scenario(parseApprovalSettings({ cli: { approverArns: [ON_CALL] } }));
    let fetched = 0;
    const bait = await startDecisionEndpoint(async () => {
      fetched += 1;
      return {
        statusCode: 200,
        body: '<GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/SecOpsOnCall/x</Arn></GetCallerIdentityResult>',
      };
    });
    servers.push(bait);
    const alice = await session(ON_CALL, 'alice');
    const proof = await presignDecision({
      approvalId: s.approvalId,
      choice: 'approve',
      region: 'us-east-1',
      credentials: alice.credentials,
      stsEndpoint: bait.url.replace(/\/$/, ''),
    });
    const response = await fetch(await s.cli(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approvalId: s.approvalId, choice: 'approve', proof }),
    });
    expect(response.status).toBe(401);
    expect(fetched).toBe(0);
    expect(await running(s.sfn, s.executionArn)).toBe(true);
  });

  it('a reader of the approvals table finds no usable task token in it', async () => {
    const kms = new KMSClient(moto());
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'task tokens' }));
    const sealed = new DynamoApprovalStore({
      client: dynamo,
      tableName: TABLE,
      tokens: new KmsTaskTokenSealer(kms, KeyMetadata?.KeyId as string),
    });
    const s = await scenario(parseApprovalSettings({ slack }), { store: sealed });
    // What escalation, an operator or a table export reads: the raw item.
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `approval#${s.approvalId}` }, sk: { S: 'approval' } },
      }),
    );
    const stored = Item?.taskToken?.S ?? '';
    expect(stored).toMatch(/^kms:/);
    expect(stored).not.toContain(s.request.taskToken);
    // Sent as a token it is refused; only the decision functions can open it.
    const sfn = accountClients(moto(), `0000000002${String(scenarios).padStart(2, '0')}`).sfn;
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: stored, output: '{}' })),
    ).rejects.toThrow();
    expect(await running(s.sfn, s.executionArn)).toBe(true);
    const click = await simulator.click({
      message: s.message as SimulatedMessage,
      choice: 'approve',
      user: alice,
      to: s.slackUrl,
    });
    expect(click).toMatchObject({ status: 200, body: { result: 'approved' } });
    expect((await executionEnd(s.sfn, s.executionArn)).output.approvalStatus).toBe('approved');
  });

  it('any AWS identity probing approval ids from the CLI endpoint writes nothing to the approvals table', async () => {
    const s = await scenario(parseApprovalSettings({ cli: { approverArns: [ON_CALL] } }));
    const outsider = await session(`arn:aws:iam::${ACCOUNT}:role/Developer`, 'prober');
    const before = (await s.store.unattributedAudit(new Date())).length;
    for (const id of ['apr_ZZZZZZZZZZZZZZZZZZZZZZ', 'apr_YYYYYYYYYYYYYYYYYYYYYY']) {
      const proof = await presignDecision({
        approvalId: id,
        choice: 'approve',
        region: 'us-east-1',
        credentials: outsider.credentials,
        stsEndpoint: await gateway(),
      });
      const response = await fetch(await s.cli(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ approvalId: id, choice: 'approve', proof }),
      });
      expect(response.status).toBe(404);
    }
    expect((await s.store.unattributedAudit(new Date())).length).toBe(before);
  });
});
