import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, DynamoApprovalStore } from '@tourniquet/aws';
import { approvalEnvironment, taskTokenSealer } from './lib/approvalEnv';
import { createRequestApprovalHandler } from './lib/approvalRequestHandler';
import { slackConnection } from './lib/approvalSlack';
import { incidentRecorder } from './lib/incidentRecorder';
import { logger, metrics, tracer } from './lib/powertools';

const env = approvalEnvironment();

export const handler = createRequestApprovalHandler({
  store: new DynamoApprovalStore({
    client: tracer.captureAWSv3Client(new DynamoDBClient(awsClientConfig())),
    tableName: env.tableName,
    retentionDays: env.settings.retentionDays,
    tokens: taskTokenSealer(),
  }),
  settings: env.settings,
  incidents: incidentRecorder('request-approval'),
  // Not answering a human: a slower Slack is worth waiting for (the Task waits anyway).
  slack: env.slackSecretId
    ? slackConnection(env.slackSecretId, { apiUrl: env.slackApiUrl, timeoutMs: 5000, retries: 2 })
    : null,
  logger,
  metrics,
  tracer,
});
