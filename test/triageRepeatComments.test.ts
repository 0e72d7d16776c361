import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ensureIncidentTable } from '@tourniquet/aws';
import { PLAYBOOK_NAMES } from '@tourniquet/core';
import {
  JIRA_SIMULATOR_CREDENTIALS,
  type JiraSimulator,
  startJiraSimulator,
} from '@tourniquet/simulators';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEvent, REPO_ROOT } from './helpers/events';
import { TEST_CREDENTIALS, useMoto } from './helpers/moto';

const context = {
  functionName: 'tourniquet-triage',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345679',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const KEY = '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp';

/**
 * The deployed triage function with a ticket sink configured: a repeat finding that joins a
 * running execution becomes a comment on the incident's ticket. Triage builds its ticket
 * service only when the first repeat comes (functions/triage.ts), so this is the path that
 * loads it: the sinks' settings from $TICKET_SETTINGS, credentials from Secrets Manager (moto),
 * the comment on the Jira simulator.
 */
describe('Handler: triage comments on a repeat finding', () => {
  const moto = useMoto();
  let jira: JiraSimulator;
  let handler: (event: unknown, context: Context) => Promise<any>;

  beforeAll(async () => {
    const aws = moto();
    jira = await startJiraSimulator();
    const dynamo = new DynamoDBClient(aws);
    await ensureIncidentTable(dynamo, 'incidents');
    await new SecretsManagerClient(aws).send(
      new CreateSecretCommand({
        Name: 'tourniquet/test/jira',
        SecretString: JSON.stringify(JIRA_SIMULATOR_CREDENTIALS),
      }),
    );
    const sfn = new SFNClient(aws);
    const stateMachines: Record<string, string> = {};
    for (const playbook of PLAYBOOK_NAMES) {
      const { stateMachineArn } = await sfn.send(
        new CreateStateMachineCommand({
          name: `tourniquet-repeat-${playbook}`,
          roleArn: 'arn:aws:iam::111122223333:role/tourniquet-playbooks',
          definition: JSON.stringify({
            StartAt: 'Done',
            States: { Done: { Type: 'Pass', End: true } },
          }),
        }),
      );
      stateMachines[playbook] = stateMachineArn as string;
    }
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      TOURNIQUET_CONFIG: readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'),
      PLAYBOOK_STATE_MACHINES: JSON.stringify(stateMachines),
      INCIDENTS_TABLE: 'incidents',
      TICKET_SETTINGS: JSON.stringify({
        sinks: [
          {
            type: 'jira',
            baseUrl: jira.url,
            projectKey: 'SEC',
            credentialsSecret: 'tourniquet/test/jira',
          },
        ],
      }),
    });
    vi.resetModules();
    handler = (await import('../functions/triage')).handler as unknown as typeof handler;
  });

  afterAll(async () => {
    await jira?.stop();
    delete process.env.TICKET_SETTINGS;
  });

  it('the first finding starts the playbook; the repeat is a comment on the ticket opened for it', async () => {
    const first = await handler(
      loadEvent('guardduty/runtime-reverse-shell-payments.json'),
      context,
    );
    expect(first).toMatchObject({ incidentKey: KEY, execution: { status: 'started' } });
    expect(jira.issues.size).toBe(0);

    // The playbook's ticket step opens the incident's ticket (as the open-ticket function does).
    const { ticketServiceFromEnv } = await import('../functions/lib/ticketRuntime');
    await ticketServiceFromEnv('open-ticket').openTicket({
      phase: 'start',
      incidentKey: KEY,
      playbook: 'contain-pod',
      finding: {
        id: '54f87b568c7746d0e45fe8a567edbddb',
        origin: 'guardduty',
        type: 'Execution:Runtime/ReverseShell',
        severity: 'HIGH',
        account: '111122223333',
        region: 'us-east-1',
        cluster: 'prod-eks-01',
        firstSeen: '2025-03-10T14:20:00.000Z',
        lastSeen: '2025-03-10T14:20:00.000Z',
      },
    });
    const [issue] = [...jira.issues.values()];
    expect(issue?.comments ?? []).toHaveLength(0);

    const repeat = await handler(
      loadEvent('guardduty/runtime-reverse-shell-payments-repeat.json'),
      context,
    );
    expect(repeat.execution).toEqual({ status: 'duplicate', name: first.execution.name });
    expect(issue?.comments).toHaveLength(1);
    expect(JSON.stringify(issue?.comments[0]?.body)).toContain(first.execution.name);
  });
});
