import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, DynamoApprovalStore } from '@tourniquet/aws';
import { closeExpiredApprovals } from '@tourniquet/slack';
import { approvalEnvironment } from './lib/approvalEnv';
import { approvalLog } from './lib/approvalLog';
import { slackConnection } from './lib/approvalSlack';
import { logger, tracer } from './lib/powertools';
import { createEscalateHandler } from './lib/ticketHandlers';
import { ticketServiceFromEnv } from './lib/ticketRuntime';

const approvals = approvalEnvironment();
const store = new DynamoApprovalStore({
  client: tracer.captureAWSv3Client(new DynamoDBClient(awsClientConfig())),
  tableName: approvals.tableName,
  retentionDays: approvals.settings.retentionDays,
});
const slack = approvals.slackSecretId
  ? slackConnection(approvals.slackSecretId, {
      apiUrl: approvals.slackApiUrl,
      timeoutMs: 5000,
      retries: 2,
    })
  : null;

/**
 * Pages on-call and records on the incident and its tickets what failed or expired; after an
 * expired approval, also closes the stale request (approvals table and Slack message).
 */
export const handler = createEscalateHandler(ticketServiceFromEnv('escalate'), async (key) =>
  closeExpiredApprovals(key, {
    store,
    slack: slack
      ? await slack()
          .then((c) => c.messenger)
          .catch(() => null)
      : null,
    consoleDomain: approvals.settings.consoleDomain,
    now: () => new Date(),
    log: approvalLog(logger),
  }),
);
