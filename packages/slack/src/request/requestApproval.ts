import type { DynamoApprovalStore } from '@tourniquet/aws';
import { ATTEMPT_RESULT, DECISION_CHANNEL, requiredApprovalsFor } from '@tourniquet/core';
import { auditAttempt } from '../audit';
import type { SlackMessenger } from '../client/slackMessenger';
import type { ApprovalLog } from '../log';
import { approvalMessage } from '../message/approvalMessage';
import type { SlackMessage } from '../message/blockKit';
import { stepResults } from '../message/stepResults';
import type { ApprovalSettings } from '../settings/approvalSettings';
import { parseApprovalRequest } from './approvalRequestSchema';

export interface RequestApprovalDeps {
  store: DynamoApprovalStore;
  settings: ApprovalSettings;
  /** Null when Slack is not configured: the CLI is then the only way to decide. */
  slack: SlackMessenger | null;
  now: () => Date;
  log: ApprovalLog;
}

export interface RequestApprovalResult {
  approvalId: string;
  posted: boolean;
  /** The message as sent (or as it would have been), for logs and the local replay. */
  message: SlackMessage | null;
}

/**
 * The approval Task's work: store the request (and its task token) under a fresh approval id,
 * then post the Slack message and remember where it is. Only storing can fail the Task — a
 * request that is stored can be decided from the CLI, so an unreachable Slack is logged and
 * audited, never thrown: the execution keeps waiting until a decision or its own timeout.
 */
export async function requestApproval(
  payload: unknown,
  deps: RequestApprovalDeps,
): Promise<RequestApprovalResult> {
  const request = parseApprovalRequest(payload);
  const now = deps.now();
  const record = await deps.store.create(
    {
      taskToken: request.taskToken,
      executionArn: request.executionArn ?? null,
      incidentKey: request.incidentKey,
      playbook: request.playbook,
      actions: request.actions,
      steps: request.steps,
      finding: request.finding,
      results: stepResults(request.results),
      expiresInSeconds: request.expiresInSeconds,
      requiredApprovals: requiredApprovalsFor(request.actions, deps.settings.twoPersonActions),
    },
    now,
  );
  const base = {
    at: now,
    incidentKey: record.incidentKey,
    approvalId: record.approvalId,
    actor: null,
    choice: null,
  };
  const cli = `tourniquet approve ${record.approvalId}  |  tourniquet deny ${record.approvalId}`;
  await auditAttempt(deps.store, deps.log, {
    ...base,
    channel: DECISION_CHANNEL.system,
    result: ATTEMPT_RESULT.requested,
    detail: `${record.actions.join(', ')} until ${record.expiresAt}; ${record.requiredApprovals} approver(s); CLI: ${cli}`,
  });
  const slackSettings = deps.settings.slack;
  if (!slackSettings || !deps.slack) {
    deps.log.warn('approval requested without Slack: decide it with the CLI', {
      approvalId: record.approvalId,
      incidentKey: record.incidentKey,
      cli,
    });
    return { approvalId: record.approvalId, posted: false, message: null };
  }
  const message = approvalMessage(record, { consoleDomain: deps.settings.consoleDomain });
  let posted: { channel: string; ts: string };
  try {
    posted = await deps.slack.postMessage(slackSettings.channel, message);
  } catch (error) {
    deps.log.error(
      'could not post the approval to Slack; it stands and can be decided with the CLI',
      {
        approvalId: record.approvalId,
        incidentKey: record.incidentKey,
        error: (error as Error).message,
        cli,
      },
    );
    await auditAttempt(deps.store, deps.log, {
      ...base,
      at: deps.now(),
      channel: DECISION_CHANNEL.slack,
      result: ATTEMPT_RESULT.postFailed,
      detail: `${(error as Error).message}; decide with: ${cli}`,
    });
    return { approvalId: record.approvalId, posted: false, message };
  }
  // Without the stored location a decision still works; only the later chat.update falls back
  // to the channel and ts in the click's payload.
  await deps.store.recordMessage(record.approvalId, posted).catch((error: Error) =>
    deps.log.warn('could not record where the approval message is', {
      approvalId: record.approvalId,
      error: error.message,
    }),
  );
  await auditAttempt(deps.store, deps.log, {
    ...base,
    at: deps.now(),
    channel: DECISION_CHANNEL.slack,
    result: ATTEMPT_RESULT.posted,
    detail: `posted to ${posted.channel} as ${posted.ts}`,
  });
  return { approvalId: record.approvalId, posted: true, message };
}
