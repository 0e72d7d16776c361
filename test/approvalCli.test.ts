import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  createApprovalTable,
  DynamoApprovalStore,
  DynamoIncidentStore,
  ensureIncidentTable,
  presignDecision,
  StepFunctionsTaskCompleter,
} from '@tourniquet/aws';
import { approveCommand, denyCommand, UsageError } from '@tourniquet/cli';
import { type SlackSimulator, startSlackSimulator } from '@tourniquet/simulators';
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
import {
  accountClients,
  enableStepFunctionsExecution,
  executionEnd,
  executionStatus,
  startWaitingExecution,
} from './helpers/approvalHarness';
import { TEST_CREDENTIALS, useMoto } from './helpers/moto';

const context = { functionName: 'tourniquet-request-approval' } as unknown as Context;
const TABLE = 'tourniquet-approvals';
const INCIDENTS_TABLE = 'tourniquet-incidents';
const ACCOUNT = '123456789012';
const ON_CALL_ROLE = `arn:aws:iam::${ACCOUNT}:role/SecOpsOnCall`;
const slackSettings = {
  channel: 'C0INCIDENTS',
  teamId: 'T0TOURNIQ01',
  approverUserGroup: 'S0ONCALLGRP',
};

/**
 * The fallback path as deployed: Slack unreachable (or not configured) at request time, and the
 * decision taken with `tourniquet approve|deny`, which sends a presigned STS GetCallerIdentity
 * to the decision function (the real handler behind a loopback Function URL). The function has
 * STS (moto behind the STS gateway, which verifies SigV4 as STS does) name the caller and
 * authorises that ARN against the settings it was deployed with. Each execution gets its own
 * region (moto's interpreter runs one execution per account and region).
 */
describe('CLI: tourniquet approve|deny', () => {
  const moto = useMoto();
  let simulator: SlackSimulator;
  let sts: StsGateway;
  let handlers: {
    request: typeof import('../functions/lib/approvalRequestHandler');
    decide: typeof import('../functions/lib/decisionHandler');
    powertools: typeof import('../functions/lib/powertools');
  };
  const servers: DecisionEndpointServer[] = [];
  let dir: string;
  const out = { stdout: '', stderr: '' };
  const io = () => ({
    stdout: (t: string) => {
      out.stdout += t;
    },
    stderr: (t: string) => {
      out.stderr += t;
    },
    cwd: dir,
  });

  beforeAll(async () => {
    const aws = moto();
    Object.assign(process.env, {
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    delete process.env.TOURNIQUET_CONFIG;
    await enableStepFunctionsExecution(aws.endpoint);
    dir = mkdtempSync(join(tmpdir(), 'tourniquet-cli-'));
    simulator = await startSlackSimulator();
    sts = await startStsGateway({
      target: aws.endpoint,
      credentials: { [TEST_CREDENTIALS.accessKeyId]: TEST_CREDENTIALS.secretAccessKey },
    });
    // A Lambda handler reads its environment when loaded: load it afresh, as a cold start
    // does, not as another file of this worker left it.
    vi.resetModules();
    handlers = {
      request: await import('../functions/lib/approvalRequestHandler'),
      decide: await import('../functions/lib/decisionHandler'),
      powertools: await import('../functions/lib/powertools'),
    };
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await sts?.stop();
    await simulator?.stop();
  });

  /** Credentials of one session of a role, issued by (moto's) STS through the gateway. */
  async function session(roleArn: string, name: string) {
    const client = new STSClient({
      endpoint: sts.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const { Credentials } = await client.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: name }),
    );
    const credentials = {
      accessKeyId: Credentials?.AccessKeyId as string,
      secretAccessKey: Credentials?.SecretAccessKey as string,
      sessionToken: Credentials?.SessionToken as string,
    };
    return { credentials: async () => credentials };
  }

  /** A waiting execution in `region`, its approval requested, and the decision function deployed with `settings`. */
  async function deployed(region: string, settings: ApprovalSettings) {
    const aws = { ...moto(), region };
    const dynamo = new DynamoDBClient(aws);
    await createApprovalTable(dynamo, TABLE);
    await ensureIncidentTable(dynamo, INCIDENTS_TABLE);
    const store = new DynamoApprovalStore({ client: dynamo, tableName: TABLE });
    const incidents = new DynamoIncidentStore({ client: dynamo, tableName: INCIDENTS_TABLE });
    const clients = accountClients(aws, ACCOUNT, region);
    const { executionArn, request } = await startWaitingExecution(clients, `gate-${region}`);
    const messenger = createSlackMessenger({
      botToken: simulator.botToken,
      apiUrl: simulator.apiUrl,
    });
    const slack = settings.slack
      ? async () => ({
          secret: { botToken: simulator.botToken, signingSecret: simulator.signingSecret },
          messenger,
          groups: new UserGroupCache(messenger),
        })
      : null;
    const { logger, metrics, tracer } = handlers.powertools;
    const requestHandler = handlers.request.createRequestApprovalHandler({
      store,
      incidents: new TicketService({ store: incidents, sinks: [], actor: 'request-approval' }),
      settings,
      slack,
      logger,
      metrics,
      tracer,
    });
    const requested = await requestHandler(request, context);
    const decide = handlers.decide.createDecisionHandler({
      store,
      completer: new StepFunctionsTaskCompleter(clients.sfn as SFNClient),
      settings,
      incidents: new TicketService({ store: incidents, sinks: [], actor: 'decide' }),
      slack,
      logger,
      metrics,
      tracer,
      localStsEndpoint: sts.url,
    });
    const server = await startDecisionEndpoint((event) => decide(event as never, context));
    servers.push(server);
    return {
      ...requested,
      executionArn,
      request,
      store,
      incidents,
      sfn: clients.sfn,
      url: server.url,
    };
  }

  const args = (url: string, id: string, ...more: string[]) => [
    id,
    '--url',
    url,
    '--sts-endpoint',
    sts.url,
    ...more,
  ];

  it('with Slack down the request still stands, and a listed identity decides from the CLI', async () => {
    simulator.outage = true;
    const settings = parseApprovalSettings({
      slack: slackSettings,
      cli: { approverArns: [ON_CALL_ROLE] },
    });
    let r: Awaited<ReturnType<typeof deployed>>;
    try {
      r = await deployed('us-east-1', settings);
    } finally {
      simulator.outage = false;
    }
    expect(r.posted).toBe(false);
    expect((await executionStatus(r.sfn, r.executionArn)).status).toBe('RUNNING');
    const alice = await session(ON_CALL_ROLE, 'alice');
    const aliceArn = `arn:aws:sts::${ACCOUNT}:assumed-role/SecOpsOnCall/alice`;

    out.stdout = '';
    expect(await approveCommand(args(r.url, r.approvalId), io(), alice)).toBe(0);
    expect(out.stdout).toContain(`approved ${r.approvalId}`);
    const end = await executionEnd(r.sfn, r.executionArn);
    expect(end.output.approvalStatus).toBe('approved');
    expect(end.output.approvalDecision).toMatchObject({
      decision: 'approved',
      by: `aws:${aliceArn}`,
    });
    const incident = (await r.incidents.get(r.request.incidentKey))?.incident;
    expect(incident?.approvals).toMatchObject([{ decision: 'approved', by: `aws:${aliceArn}` }]);

    out.stderr = '';
    expect(await denyCommand(args(r.url, r.approvalId, '--json'), io(), alice)).toBe(1);
    expect(JSON.parse(out.stderr)).toMatchObject({
      approvalId: r.approvalId,
      result: 'already-decided',
    });
    const results = (await r.store.auditTrail(r.request.incidentKey)).map(
      (e) => `${e.channel}:${e.result}`,
    );
    expect(results).toEqual([
      'system:requested',
      'slack:post-failed',
      'cli:approved',
      'cli:already-decided',
    ]);
  });

  it('without Slack configured the request is only stored, and a CLI denial ends the wait', async () => {
    const settings = parseApprovalSettings({ cli: { approverArns: [ON_CALL_ROLE] } });
    const r = await deployed('us-west-2', settings);
    expect(r.posted).toBe(false);
    const bob = await session(ON_CALL_ROLE, 'bob');
    expect(await denyCommand(args(r.url, r.approvalId), io(), bob)).toBe(0);
    const end = await executionEnd(r.sfn, r.executionArn);
    expect(end.output.approvalStatus).toBe('denied');
    expect(end.output.approvalDecision).toMatchObject({ Error: 'ApprovalDenied' });
  });

  it('an identity not in the deployed approvers is refused, whatever file it holds, and audited', async () => {
    const r = await deployed(
      'eu-west-1',
      parseApprovalSettings({ cli: { approverArns: [ON_CALL_ROLE] } }),
    );
    const mallory = await session(`arn:aws:iam::${ACCOUNT}:role/Developer`, 'mallory');
    // A config naming the caller changes nothing: the command has no --config any more.
    const own = join(dir, 'mallory.json');
    writeFileSync(
      own,
      JSON.stringify({
        approvals: { cli: { approverArns: ['arn:aws:iam::123456789012:role/Developer'] } },
      }),
    );
    await expect(
      approveCommand([...args(r.url, r.approvalId), '--config', own], io(), mallory),
    ).rejects.toThrow(UsageError);
    process.env.TOURNIQUET_CONFIG = own;
    out.stderr = '';
    try {
      expect(await approveCommand(args(r.url, r.approvalId), io(), mallory)).toBe(1);
    } finally {
      delete process.env.TOURNIQUET_CONFIG;
    }
    const malloryArn = `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/mallory`;
    expect(out.stderr).toContain(
      `not authorised: ${malloryArn} is not in approvals.cli.approverArns`,
    );
    expect((await executionStatus(r.sfn, r.executionArn)).status).toBe('RUNNING');
    const last = (await r.store.auditTrail(r.request.incidentKey)).at(-1);
    expect(last).toMatchObject({
      channel: 'cli',
      result: 'unauthorised',
      actor: { id: `aws:${malloryArn}` },
    });
  });

  it('a proof signed for another decision, or for another host, is refused before anything is decided', async () => {
    const r = await deployed(
      'eu-central-1',
      parseApprovalSettings({ cli: { approverArns: [ON_CALL_ROLE] } }),
    );
    const alice = await session(ON_CALL_ROLE, 'alice');
    const post = async (body: unknown) => {
      const response = await fetch(r.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        ...((await response.json()) as { result: string; message: string }),
      };
    };
    const denyProof = await presignDecision({
      approvalId: r.approvalId,
      choice: 'deny',
      region: 'eu-central-1',
      credentials: alice.credentials,
      stsEndpoint: sts.url,
    });
    // Signed for deny, sent as approve: STS (the gateway) recomputes the signature over the
    // header the function sends, x-tourniquet-decision: <id>:approve, and refuses it.
    expect(
      await post({ approvalId: r.approvalId, choice: 'approve', proof: denyProof }),
    ).toMatchObject({
      status: 401,
      result: 'bad-signature',
      message: expect.stringContaining('SignatureDoesNotMatch'),
    });
    // Pointed at a host of the caller's choosing: refused before any request leaves.
    for (const host of [
      'https://sts.eu-central-1.amazonaws.com.evil.example',
      'http://169.254.169.254',
    ]) {
      const elsewhere = denyProof.replace(sts.url, host);
      expect(
        await post({ approvalId: r.approvalId, choice: 'deny', proof: elsewhere }),
      ).toMatchObject({
        status: 401,
        message: expect.stringMatching(/is not an AWS STS endpoint|must use https/),
      });
    }
    // A presigned URL that does not sign the decision header proves nothing about the decision.
    const unbound = new URL(denyProof);
    unbound.searchParams.set('X-Amz-SignedHeaders', 'host');
    expect(
      await post({ approvalId: r.approvalId, choice: 'deny', proof: unbound.toString() }),
    ).toMatchObject({
      status: 401,
      message: expect.stringContaining('must sign the host and x-tourniquet-decision'),
    });
    expect((await executionStatus(r.sfn, r.executionArn)).status).toBe('RUNNING');
    // Refusals before the caller is known are not stored.
    expect((await r.store.auditTrail(r.request.incidentKey)).map((e) => e.result)).toEqual([
      'requested',
    ]);
  });

  it('answers an unknown approval id, and refuses bad usage', async () => {
    const r = await deployed(
      'ap-southeast-2',
      parseApprovalSettings({ cli: { approverArns: [ON_CALL_ROLE] } }),
    );
    const alice = await session(ON_CALL_ROLE, 'alice');
    out.stderr = '';
    expect(await approveCommand(args(r.url, 'apr_ZZZZZZZZZZZZZZZZZZZZZZ'), io(), alice)).toBe(1);
    expect(out.stderr).toContain('no approval apr_ZZZZZZZZZZZZZZZZZZZZZZ');
    await expect(approveCommand(['not-an-id', '--url', r.url], io())).rejects.toThrow(UsageError);
    await expect(approveCommand([], io())).rejects.toThrow(UsageError);
    delete process.env.TOURNIQUET_DECISION_URL;
    await expect(approveCommand(['apr_ZZZZZZZZZZZZZZZZZZZZZZ'], io())).rejects.toThrow(/--url/);
  });
});
