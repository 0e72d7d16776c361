import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  createApprovalTable,
  DynamoApprovalStore,
  DynamoIncidentStore,
  ensureIncidentTable,
} from '@tourniquet/aws';
import { type SlackSimulator, startSlackSimulator } from '@tourniquet/simulators';
import { DECISION_BLOCK_ID } from '@tourniquet/slack';
import { type DecisionEndpointServer, startDecisionEndpoint } from '@tourniquet/testkit';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  accountClients,
  enableStepFunctionsExecution,
  executionEnd,
  startWaitingExecution,
} from './helpers/approvalHarness';
import { TEST_CREDENTIALS, useMoto } from './helpers/moto';

const context = {
  functionName: 'tourniquet-slack',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/**
 * The two deployed entry points as Lambda loads them: configuration from the environment, the
 * Slack secret from Secrets Manager, clients from AWS_ENDPOINT_URL (moto) and SLACK_API_URL
 * (the simulator).
 */
describe('Handlers: requestApproval and slackInteractions', () => {
  const moto = useMoto();
  let simulator: SlackSimulator;
  let endpoint: DecisionEndpointServer;

  beforeAll(async () => {
    const aws = moto();
    await enableStepFunctionsExecution(aws.endpoint);
    simulator = await startSlackSimulator();
    await createApprovalTable(new DynamoDBClient(aws), 'approvals');
    await ensureIncidentTable(new DynamoDBClient(aws), 'incidents');
    await new SecretsManagerClient(aws).send(
      new CreateSecretCommand({
        Name: 'tourniquet/slack',
        SecretString: JSON.stringify({
          botToken: simulator.botToken,
          signingSecret: simulator.signingSecret,
        }),
      }),
    );
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_REGION: aws.region,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      APPROVALS_TABLE: 'approvals',
      INCIDENTS_TABLE: 'incidents',
      TICKET_SETTINGS: '{"sinks":[]}',
      SLACK_SECRET_ID: 'tourniquet/slack',
      SLACK_API_URL: simulator.apiUrl,
      TOURNIQUET_APPROVALS: JSON.stringify({
        slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserGroup: 'S0ONCALLGRP' },
      }),
    });
    // Lambda handlers read their environment when loaded: load them afresh, as a cold start
    // does, not as another file of this worker left them.
    vi.resetModules();
    const { handler } = await import('../functions/slackInteractions');
    endpoint = await startDecisionEndpoint((event) => handler(event as never, context));
  });

  afterAll(async () => {
    await endpoint?.stop();
    await simulator?.stop();
  });

  it('request → Slack message → signed click → the execution continues, as deployed', async () => {
    const aws = moto();
    const clients = accountClients(aws, '123456789012');
    const { executionArn, request } = await startWaitingExecution(clients, 'lambda-gate');
    const { handler: requestApproval } = await import('../functions/requestApproval');
    const result = await requestApproval(request, context);
    expect(result).toMatchObject({ posted: true, approvalId: expect.stringMatching(/^apr_/) });

    const record = await new DynamoApprovalStore({
      client: new DynamoDBClient(aws),
      tableName: 'approvals',
    }).get(result.approvalId);
    const message = simulator.record.find(
      record?.message?.channel ?? '',
      record?.message?.ts ?? '',
    );
    if (!message) throw new Error('no message posted');
    const answer = await simulator.click({
      message,
      choice: 'approve',
      user: { id: 'U0ONCALL002', name: 'bob.oncall' },
      to: endpoint.url,
    });
    expect(answer).toMatchObject({ status: 200, body: { result: 'approved' } });
    const end = await executionEnd(clients.sfn, executionArn);
    expect(end.output).toMatchObject({
      approvalStatus: 'approved',
      approvalDecision: { decision: 'approved', by: 'slack:U0ONCALL002' },
    });
    // The incident record has the request (with the approval id) and the decision.
    const incident = await new DynamoIncidentStore({
      client: new DynamoDBClient(aws),
      tableName: 'incidents',
    }).get(request.incidentKey);
    expect(incident?.incident.approvals).toMatchObject([
      { decision: 'approved', by: 'slack:U0ONCALL002' },
    ]);
    expect(incident?.audit.map((e) => e.summary).join('\n')).toContain(result.approvalId);
  });

  it('escalation after an expired wait pages, and closes the stale request in Slack, as deployed', async () => {
    const aws = moto();
    const clients = accountClients(aws, '123456789013');
    const { request } = await startWaitingExecution(clients, 'lambda-expiry');
    const short = { ...request, expiresInSeconds: 1 };
    const { handler: requestApproval } = await import('../functions/requestApproval');
    const { approvalId } = await requestApproval(short, context);
    await new Promise((r) => setTimeout(r, 1100));
    const { handler: escalate } = await import('../functions/escalate');
    const result = await escalate(
      {
        reason: 'approval-expired',
        incidentKey: request.incidentKey,
        playbook: request.playbook,
        actions: request.actions,
        finding: request.finding,
        results: request.results,
      },
      context,
    );
    expect(result).toMatchObject({ paged: false });
    const record = await new DynamoApprovalStore({
      client: new DynamoDBClient(aws),
      tableName: 'approvals',
    }).get(approvalId);
    expect(record?.status).toBe('expired');
    const message = simulator.record.find(
      record?.message?.channel ?? '',
      record?.message?.ts ?? '',
    );
    expect(JSON.stringify(message?.blocks)).toContain('Expired');
    expect(message?.blocks.some((b: any) => b.block_id === DECISION_BLOCK_ID)).toBe(false);
  });
});
