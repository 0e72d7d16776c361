import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoIncidentStore, ensureIncidentTable } from '@tourniquet/aws';
import {
  type ApprovalSettings,
  createApprovalTable,
  createSlackMessenger,
  DynamoApprovalStore,
  parseApprovalSettings,
  UserGroupCache,
} from '@tourniquet/slack';
import { TicketService } from '@tourniquet/tickets';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveCommand, denyCommand } from '../packages/local/src/cli/approveCommand';
import { UsageError } from '../packages/local/src/cli/io';
import {
  type SlackSimulator,
  startSlackSimulator,
} from '../packages/local/src/slack/slackSimulator';
import {
  accountClients,
  enableStepFunctionsExecution,
  executionEnd,
  executionStatus,
  startWaitingExecution,
} from '../packages/slack/test/helpers/approvalHarness';
import { TEST_CREDENTIALS, useMoto } from './helpers/moto';

const context = { functionName: 'tourniquet-request-approval' } as unknown as Context;
const TABLE = 'tourniquet-approvals';
/** As deployed: the CLI finds the incidents table next to the approvals table. */
const INCIDENTS_TABLE = 'tourniquet-incidents';
const MOTO_CALLER = 'arn:aws:sts::123456789012:user/moto';

/**
 * The fallback path: Slack unreachable (or not configured) at request time, and the decision
 * taken with `tourniquet approve|deny`, authorised by the caller's AWS identity (moto's STS).
 * The CLI builds its own clients, so each execution gets its own region of moto's default
 * account (moto's interpreter runs one execution per account and region).
 */
describe('CLI: tourniquet approve|deny', () => {
  const moto = useMoto();
  let simulator: SlackSimulator;
  let handlers: {
    request: typeof import('../functions/lib/approvalRequestHandler');
    powertools: typeof import('../functions/lib/powertools');
  };
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

  const slackSettings = { channel: 'C0INCIDENTS', approverUserGroup: 'S0ONCALLGRP' };
  const configFile = (approvals: unknown) => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ dryRun: false, approvals }));
    return file;
  };

  beforeAll(async () => {
    const aws = moto();
    Object.assign(process.env, {
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    });
    delete process.env.TOURNIQUET_CONFIG;
    await enableStepFunctionsExecution(aws.endpoint);
    dir = mkdtempSync(join(tmpdir(), 'tourniquet-cli-'));
    simulator = await startSlackSimulator();
    handlers = {
      request: await import('../functions/lib/approvalRequestHandler'),
      powertools: await import('../functions/lib/powertools'),
    };
  });

  afterAll(async () => {
    await simulator?.stop();
  });

  /** A waiting execution in `region`, its approval requested by the Lambda handler. */
  async function requested(region: string, settings: ApprovalSettings) {
    const aws = { ...moto(), region };
    const dynamo = new DynamoDBClient(aws);
    await createApprovalTable(dynamo, TABLE);
    const store = new DynamoApprovalStore({ client: dynamo, tableName: TABLE });
    const clients = accountClients(aws, '123456789012', region);
    const { executionArn, request } = await startWaitingExecution(clients, `gate-${region}`);
    const messenger = createSlackMessenger({
      botToken: simulator.botToken,
      apiUrl: simulator.apiUrl,
    });
    const { logger, metrics, tracer } = handlers.powertools;
    await ensureIncidentTable(dynamo, INCIDENTS_TABLE);
    const incidents = new DynamoIncidentStore({ client: dynamo, tableName: INCIDENTS_TABLE });
    const handler = handlers.request.createRequestApprovalHandler({
      store,
      incidents: new TicketService({ store: incidents, sinks: [], actor: 'request-approval' }),
      settings,
      slack: settings.slack
        ? async () => ({
            secret: { botToken: simulator.botToken, signingSecret: simulator.signingSecret },
            messenger,
            groups: new UserGroupCache(messenger),
          })
        : null,
      logger,
      metrics,
      tracer,
    });
    const result = await handler(request, context);
    return { ...result, executionArn, request, store, incidents, sfn: clients.sfn };
  }

  const args = (region: string, config: string, id: string) => [
    id,
    '--table',
    TABLE,
    '--region',
    region,
    '--endpoint',
    moto().endpoint,
    '--config',
    config,
  ];

  it('with Slack down the request still stands, and the CLI approval moves the playbook', async () => {
    simulator.outage = true;
    const settings = parseApprovalSettings({
      slack: slackSettings,
      cli: { approverArns: [MOTO_CALLER] },
    });
    let r: Awaited<ReturnType<typeof requested>>;
    try {
      r = await requested('us-east-1', settings);
    } finally {
      simulator.outage = false;
    }
    expect(r.posted).toBe(false);
    expect((await executionStatus(r.sfn, r.executionArn)).status).toBe('RUNNING');
    const trail = await r.store.auditTrail(r.request.incidentKey);
    expect(trail.map((e) => e.result)).toEqual(['requested', 'post-failed']);

    const config = configFile({ slack: slackSettings, cli: { approverArns: [MOTO_CALLER] } });
    out.stdout = '';
    expect(await approveCommand(args('us-east-1', config, r.approvalId), io())).toBe(0);
    expect(out.stdout).toContain(`approved ${r.approvalId}`);
    const end = await executionEnd(r.sfn, r.executionArn);
    expect(end.output.approvalStatus).toBe('approved');
    expect(end.output.approvalDecision).toMatchObject({
      decision: 'approved',
      by: `aws:${MOTO_CALLER}`,
    });
    const incident = (await r.incidents.get(r.request.incidentKey))?.incident;
    expect(incident?.approvals).toMatchObject([{ decision: 'approved', by: `aws:${MOTO_CALLER}` }]);
    expect(incident?.status).toBe('open');
    // Without Slack, the incident's timeline is where on-call finds the approval id.
    const audit = (await r.incidents.get(r.request.incidentKey))?.audit ?? [];
    expect(audit.map((e) => e.summary)).toContainEqual(
      expect.stringContaining(`tourniquet approve|deny ${r.approvalId}`),
    );

    out.stderr = '';
    expect(await denyCommand([...args('us-east-1', config, r.approvalId), '--json'], io())).toBe(1);
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
    const calls = simulator.record.calls.length;
    const settings = parseApprovalSettings({
      cli: { approverArns: ['arn:aws:sts::123456789012:user/*'] },
    });
    const r = await requested('us-west-2', settings);
    expect(r.posted).toBe(false);
    expect(simulator.record.calls.length).toBe(calls);
    const config = configFile({ cli: { approverArns: ['arn:aws:sts::123456789012:user/*'] } });
    expect(await denyCommand(args('us-west-2', config, r.approvalId), io())).toBe(0);
    const end = await executionEnd(r.sfn, r.executionArn);
    expect(end.output.approvalStatus).toBe('denied');
    expect(end.output.approvalDecision).toMatchObject({ Error: 'ApprovalDenied' });
  });

  it('refuses a caller who is not a configured approver, and audits it', async () => {
    const settings = parseApprovalSettings({});
    const r = await requested('eu-west-1', settings);
    const config = configFile({ cli: { approverArns: ['arn:aws:iam::123456789012:role/OnCall'] } });
    out.stderr = '';
    expect(await approveCommand(args('eu-west-1', config, r.approvalId), io())).toBe(1);
    expect(out.stderr).toContain(
      `not authorised: ${MOTO_CALLER} is not in approvals.cli.approverArns`,
    );
    expect((await executionStatus(r.sfn, r.executionArn)).status).toBe('RUNNING');
    const last = (await r.store.auditTrail(r.request.incidentKey)).at(-1);
    expect(last).toMatchObject({
      channel: 'cli',
      result: 'unauthorised',
      actor: { id: `aws:${MOTO_CALLER}` },
    });

    const none = configFile({});
    out.stderr = '';
    expect(await approveCommand(args('eu-west-1', none, r.approvalId), io())).toBe(1);
    expect(out.stderr).toContain('no CLI approvers are configured');
  });

  it('answers an unknown approval id, and refuses bad usage', async () => {
    const config = configFile({ cli: { approverArns: [MOTO_CALLER] } });
    out.stderr = '';
    expect(
      await approveCommand(args('us-east-1', config, 'apr_ZZZZZZZZZZZZZZZZZZZZZZ'), io()),
    ).toBe(1);
    expect(out.stderr).toContain('no approval apr_ZZZZZZZZZZZZZZZZZZZZZZ');
    await expect(approveCommand(['not-an-id', '--table', TABLE], io())).rejects.toThrow(UsageError);
    await expect(approveCommand([], io())).rejects.toThrow(UsageError);
    await expect(
      approveCommand(['apr_ZZZZZZZZZZZZZZZZZZZZZZ'], { ...io(), cwd: dir }),
    ).rejects.toThrow(/--table/);
  });
});
