import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientConfig, DynamoApprovalStore, StepFunctionsTaskCompleter } from '@tourniquet/aws';
import { approvalEnvironment, taskTokenSealer } from './lib/approvalEnv';
import { slackConnection } from './lib/approvalSlack';
import { createDecisionHandler } from './lib/decisionHandler';
import { incidentRecorder } from './lib/incidentRecorder';
import { logger, metrics, tracer } from './lib/powertools';

const env = approvalEnvironment();
const fast = { ...awsClientConfig(), maxAttempts: 2 };

// No local STS endpoint here: deployed, a proof may only ever name AWS STS.
export const handler = createDecisionHandler({
  store: new DynamoApprovalStore({
    client: tracer.captureAWSv3Client(new DynamoDBClient(fast)),
    tableName: env.tableName,
    retentionDays: env.settings.retentionDays,
    tokens: taskTokenSealer(),
  }),
  completer: new StepFunctionsTaskCompleter(tracer.captureAWSv3Client(new SFNClient(fast))),
  settings: env.settings,
  incidents: incidentRecorder('decide'),
  slack: env.slackSecretId
    ? slackConnection(env.slackSecretId, { apiUrl: env.slackApiUrl, timeoutMs: 1000, retries: 0 })
    : null,
  logger,
  metrics,
  tracer,
});
