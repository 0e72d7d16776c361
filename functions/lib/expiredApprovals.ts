import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, DynamoApprovalStore } from '@tourniquet/aws';
import { closeExpiredApprovals } from '@tourniquet/slack';
import { approvalEnvironment } from './approvalEnv';
import { approvalLog } from './approvalLog';
import { slackConnection } from './approvalSlack';
import { logger, tracer } from './powertools';

/**
 * What escalate does after an expired approval: closes the stale request (approvals table and
 * Slack message). Built from the approval settings the first time an approval expires; the
 * escalate function loads this module only then (functions/escalate.ts).
 */
export function expiredApprovalCloser(): (incidentKey: string) => Promise<string[]> {
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
  return async (incidentKey) =>
    closeExpiredApprovals(incidentKey, {
      store,
      slack: slack
        ? await slack()
            .then((c) => c.messenger)
            .catch(() => null)
        : null,
      consoleDomain: approvals.settings.consoleDomain,
      now: () => new Date(),
      log: approvalLog(logger),
    });
}
