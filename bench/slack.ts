import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startSlackSimulator } from '@tourniquet/simulators';
import {
  createApprovalTable,
  createSlackMessenger,
  DynamoApprovalStore,
  parseApprovalSettings,
  StepFunctionsTaskCompleter,
  UserGroupCache,
} from '@tourniquet/slack';
import { LOCAL_CREDENTIALS, startDecisionEndpoint, startMoto } from '@tourniquet/testkit';
import type { Context } from 'aws-lambda';
import {
  accountClients,
  enableStepFunctionsExecution,
  startWaitingExecution,
} from '../test/helpers/approvalHarness';
import { type BenchRow, percentile } from './stats';

const RUNS = Number(process.env.BENCH_SLACK_RUNS ?? 20);
const SLACK_LIMIT_MS = 3000;

const context = {
  functionName: 'tourniquet-bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/**
 * The approval path as deployed, against moto (DynamoDB, Step Functions waiting on a real task
 * token) and the Slack simulator: the request-approval handler (store + chat.postMessage), then
 * a signed click over HTTP to the decision endpoint handler (verify, authorise, conditional
 * write, SendTaskSuccess, chat.update) until Slack gets its answer.
 */
export async function benchSlack(): Promise<BenchRow[]> {
  Object.assign(process.env, {
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  const moto = await startMoto();
  const simulator = await startSlackSimulator();
  try {
    const aws = { endpoint: moto.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    await enableStepFunctionsExecution(moto.endpoint);
    const dynamo = new DynamoDBClient(aws);
    await createApprovalTable(dynamo, 'approvals');
    const store = new DynamoApprovalStore({ client: dynamo, tableName: 'approvals' });
    const messenger = createSlackMessenger({
      botToken: simulator.botToken,
      apiUrl: simulator.apiUrl,
    });
    const connection = {
      secret: { botToken: simulator.botToken, signingSecret: simulator.signingSecret },
      messenger,
      groups: new UserGroupCache(messenger),
    };
    const settings = parseApprovalSettings({
      slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserIds: ['U0ONCALL001'] },
    });
    const { logger, metrics, tracer } = await import('../functions/lib/powertools');
    const { createRequestApprovalHandler } = await import(
      '../functions/lib/approvalRequestHandler'
    );
    const { createSlackInteractionsHandler } = await import(
      '../functions/lib/approvalInteractionsHandler'
    );
    const requestHandler = createRequestApprovalHandler({
      store,
      incidents: null,
      settings,
      slack: async () => connection,
      logger,
      metrics,
      tracer,
    });
    const requestMs: number[] = [];
    const answerMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const clients = accountClients(aws, `0000000020${String(i).padStart(2, '0')}`);
      const { request } = await startWaitingExecution(clients, `bench-${i}`);
      const interactions = createSlackInteractionsHandler({
        store,
        completer: new StepFunctionsTaskCompleter(clients.sfn),
        incidents: null,
        slackSettings: settings.slack as NonNullable<typeof settings.slack>,
        consoleDomain: settings.consoleDomain,
        slack: async () => connection,
        logger,
        metrics,
        tracer,
      });
      const server = await startDecisionEndpoint((event) => interactions(event as never, context));
      try {
        let t = performance.now();
        const { approvalId } = await requestHandler(request, context);
        requestMs.push(performance.now() - t);
        const record = await store.get(approvalId);
        const message = simulator.record.find(
          record?.message?.channel ?? '',
          record?.message?.ts ?? '',
        );
        if (!message) throw new Error(`approval ${approvalId} was not posted`);
        t = performance.now();
        const answer = await simulator.click({
          message,
          choice: 'approve',
          user: { id: 'U0ONCALL001', name: 'alice.oncall' },
          to: server.url,
        });
        answerMs.push(performance.now() - t);
        if (answer.status !== 200) throw new Error(`click answered ${answer.status}`);
      } finally {
        await server.stop();
      }
    }
    const p50 = percentile(answerMs, 50);
    const p99 = percentile(answerMs, 99);
    return [
      {
        name: 'slack: request approval p50',
        value: Math.round(percentile(requestMs, 50)),
        unit: 'ms',
        note: `store the request + chat.postMessage; p99 ${Math.round(percentile(requestMs, 99))} ms, ${RUNS} runs`,
      },
      {
        name: 'slack: click → answer p50',
        value: Math.round(p50),
        unit: 'ms',
        target: `< ${SLACK_LIMIT_MS}`,
        note: `verify, authorise, conditional write, SendTaskSuccess, chat.update; p99 ${Math.round(p99)} ms = ${((p99 / SLACK_LIMIT_MS) * 100).toFixed(0)}% of Slack's limit`,
      },
    ];
  } finally {
    await simulator.stop();
    await moto.stop();
  }
}
