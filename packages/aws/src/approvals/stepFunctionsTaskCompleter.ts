import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { ApprovalTaskOutcome, TaskCompleter } from '@tourniquet/core';
import { APPROVAL_STATE_NAME, TaskCompletionError, TaskGoneError } from '@tourniquet/core';

/** SendTaskFailure's `cause` limit (Step Functions rejects longer ones). */
const MAX_CAUSE = 32_768;
/** A playbook's whole history is a few hundred events; stop reading well beyond that. */
const MAX_PAGES = 10;

const EXECUTION_END: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

/** Completes approval Tasks through the Step Functions API (the deployed path, and moto in tests). */
export class StepFunctionsTaskCompleter implements TaskCompleter {
  constructor(private readonly client: SFNClient) {}

  async succeed(taskToken: string, output: object): Promise<void> {
    await this.call(() =>
      this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    await this.call(() =>
      this.client.send(
        new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, MAX_CAUSE) }),
      ),
    );
  }

  /**
   * The events after the approval Task's last TaskStateEntered: whatever ended it (TaskSucceeded /
   * TaskFailed / TaskTimedOut) or the execution's end. Read oldest first (a playbook's history is
   * a few hundred events). Execution data is not requested: event types and error names suffice.
   */
  async outcome(executionArn: string): Promise<ApprovalTaskOutcome> {
    let after: HistoryEvent[] | null = null;
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await this.client.send(
          new GetExecutionHistoryCommand({
            executionArn,
            includeExecutionData: false,
            maxResults: 1000,
            nextToken,
          }),
        );
        for (const event of result.events ?? []) {
          if (
            event.type === 'TaskStateEntered' &&
            isApprovalState(event.stateEnteredEventDetails?.name)
          ) {
            after = [];
          } else {
            after?.push(event);
          }
        }
        nextToken = result.nextToken;
        if (!nextToken) break;
      }
    } catch (error) {
      return { kind: 'unknown', reason: `history unreadable: ${(error as Error).message}` };
    }
    return after
      ? outcomeAfter(after)
      : { kind: 'unknown', reason: `no ${APPROVAL_STATE_NAME} state in the history` };
  }

  private async call(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      // A timed-out Task, a finished execution and a spent token all mean nobody waits any more.
      if (
        error instanceof TaskTimedOut ||
        error instanceof InvalidToken ||
        error instanceof TaskDoesNotExist
      ) {
        throw new TaskGoneError(`Step Functions no longer waits for this task: ${error.message}`, {
          cause: error,
        });
      }
      throw new TaskCompletionError(
        `Step Functions did not confirm the decision: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/**
 * The upfront approval (`Request approval`) or an escalation's own request (`Request approval
 * (isolate-node)`): they run one after the other, so the last one entered is the one waiting.
 */
function isApprovalState(name: string | undefined): boolean {
  return name === APPROVAL_STATE_NAME || Boolean(name?.startsWith(`${APPROVAL_STATE_NAME} (`));
}

/** Oldest first: the first event that ends the Task (or the execution) decides. */
function outcomeAfter(events: HistoryEvent[]): ApprovalTaskOutcome {
  for (const event of events) {
    switch (event.type) {
      case 'TaskSucceeded':
        return { kind: 'succeeded' };
      case 'TaskFailed':
        return { kind: 'failed', error: event.taskFailedEventDetails?.error ?? null };
      case 'TaskTimedOut':
        return { kind: 'timed-out' };
    }
    const end = EXECUTION_END[event.type ?? ''];
    if (end) return { kind: 'ended', status: end };
  }
  return { kind: 'waiting' };
}
