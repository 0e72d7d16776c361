import { KMSClient } from '@aws-sdk/client-kms';
import {
  awsClientConfig,
  KmsTaskTokenSealer,
  plainTaskTokens,
  type TaskTokenSealer,
} from '@tourniquet/aws';
import { type ApprovalSettings, parseApprovalSettings } from '@tourniquet/slack';
import { jsonEnv, requiredEnv } from './env';

/** What the approval functions read from their environment, once per cold start. */
export interface ApprovalEnvironment {
  /** APPROVALS_TABLE: the approvals table (pk/sk strings, TTL on `ttl`). */
  tableName: string;
  /** TOURNIQUET_APPROVALS: the `approvals` section of the config, as JSON (absent: CLI only). */
  settings: ApprovalSettings;
  /** SLACK_SECRET_ID: Secrets Manager secret `{"botToken", "signingSecret"}`; required with Slack. */
  slackSecretId: string | null;
  /** SLACK_API_URL: only to point the functions at a Slack stand-in. */
  slackApiUrl: string | undefined;
}

export function approvalEnvironment(): ApprovalEnvironment {
  const settings = parseApprovalSettings(jsonEnv('TOURNIQUET_APPROVALS', {}));
  const slackSecretId = process.env.SLACK_SECRET_ID?.trim() || null;
  if (settings.slack && !slackSecretId) {
    throw new Error(
      'environment variable SLACK_SECRET_ID is required when approvals.slack is configured',
    );
  }
  return {
    tableName: requiredEnv('APPROVALS_TABLE'),
    settings,
    slackSecretId,
    slackApiUrl: process.env.SLACK_API_URL?.trim() || undefined,
  };
}

/**
 * TASK_TOKEN_KEY: the KMS key that seals task tokens in the approvals table (request-approval
 * may only encrypt with it, the decision functions only decrypt). Unset: tokens are stored as
 * given. Apart from approvalEnvironment so that escalate, which closes approvals but never reads
 * a token, does not load the KMS client.
 */
export function taskTokenSealer(): TaskTokenSealer {
  const taskTokenKey = process.env.TASK_TOKEN_KEY?.trim() || null;
  return taskTokenKey
    ? new KmsTaskTokenSealer(new KMSClient(awsClientConfig()), taskTokenKey)
    : plainTaskTokens;
}
