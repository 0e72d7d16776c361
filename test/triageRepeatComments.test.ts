import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ensureIncidentTable } from '@tourniquet/aws';
import {
  JIRA_SIMULATOR_CREDENTIALS,
  type JiraSimulator,
  startJiraSimulator,
} from '@tourniquet/simulators';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEvent } from './helpers/events';
import { useMoto } from './helpers/moto';
import { passingPlaybooks, triageContext, triageEnvironment } from './helpers/triageEnv';

const context = triageContext('c6af9ac6-7b61-11e6-9a41-93e812345679');
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
    const stateMachines = await passingPlaybooks(new SFNClient(aws), 'tourniquet-repeat');
    Object.assign(process.env, {
      ...triageEnvironment({ endpoint: aws.endpoint, stateMachines, incidentsTable: 'incidents' }),
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
