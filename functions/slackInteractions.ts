import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  awsClientConfig,
  DynamoActionJournal,
  DynamoApprovalStore,
  StepFunctionsTaskCompleter,
} from '@tourniquet/aws';
import { parseConfig } from '@tourniquet/core';
import { approvalEnvironment, taskTokenSealer } from './lib/approvalEnv';
import { createSlackInteractionsHandler } from './lib/approvalInteractionsHandler';
import { slackConnection } from './lib/approvalSlack';
import { jsonEnv, requiredEnv } from './lib/env';
import { incidentRecorder } from './lib/incidentRecorder';
import { incidentStoreFromEnv } from './lib/incidentRuntime';
import { logger, metrics, tracer } from './lib/powertools';
import { createReleaseStarter } from './lib/releaseStarter';

const env = approvalEnvironment();
if (!env.settings.slack)
  throw new Error('TOURNIQUET_APPROVALS has no slack section: nothing to serve');

// Two attempts at most: Slack wants an answer within 3 seconds.
const fast = { ...awsClientConfig(), maxAttempts: 2 };

const incidents = tracer.captureAWSv3Client(new DynamoDBClient(fast));

export const handler = createSlackInteractionsHandler({
  store: new DynamoApprovalStore({
    client: tracer.captureAWSv3Client(new DynamoDBClient(fast)),
    tableName: env.tableName,
    retentionDays: env.settings.retentionDays,
    tokens: taskTokenSealer(),
  }),
  completer: new StepFunctionsTaskCompleter(tracer.captureAWSv3Client(new SFNClient(fast))),
  slackSettings: env.settings.slack,
  people: env.settings.people,
  incidents: incidentRecorder('slack-interactions'),
  consoleDomain: env.settings.consoleDomain,
  slack: slackConnection(env.slackSecretId as string, {
    apiUrl: env.slackApiUrl,
    timeoutMs: 1000,
    retries: 0,
  }),
  release: createReleaseStarter({
    store: incidentStoreFromEnv(incidents),
    journal: new DynamoActionJournal({
      client: incidents,
      tableName: requiredEnv('INCIDENTS_TABLE'),
    }),
    sfn: tracer.captureAWSv3Client(new SFNClient(fast)),
    clusters: parseConfig(jsonEnv('TOURNIQUET_CONFIG', {})).clusters,
    // Deployed, every function has it; without it a Release click is answered as unavailable.
    stateMachines: jsonEnv('PLAYBOOK_STATE_MACHINES', {}) as Record<string, string>,
  }),
  logger,
  metrics,
  tracer,
});
