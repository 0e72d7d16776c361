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
import { APPROVAL_STATE_NAME } from '@tourniquet/core';
import { TaskCompletionError, TaskGoneError } from './errors';
import type { ApprovalTaskOutcome, TaskCompleter } from './taskCompleter';

/** SendTaskFailure's `cause` limit (Step Functions rejects longer ones). */
const MAX_CAUSE = 32_768;
/** A playbook's whole history is a few hundred events; stop reading well beyond that. */
const MAX_PAGES = 20;

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
   * Newest events first, back to the approval Task's last TaskStateEntered: whatever ended it
   * (TaskSucceeded / TaskFailed / TaskTimedOut) or the execution's end. Execution data is not
   * requested: the answer needs event types and error names only.
   */
  async outcome(executionArn: string): Promise<ApprovalTaskOutcome> {
    const after: HistoryEvent[] = [];
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await this.client.send(
          new GetExecutionHistoryCommand({
            executionArn,
            reverseOrder: true,
            includeExecutionData: false,
            maxResults: 200,
            nextToken,
          }),
        );
        for (const event of result.events ?? []) {
          if (
            event.type === 'TaskStateEntered' &&
            event.stateEnteredEventDetails?.name === APPROVAL_STATE_NAME
          ) {
            return outcomeAfter(after.reverse());
          }
          after.push(event);
        }
        nextToken = result.nextToken;
        if (!nextToken) break;
      }
    } catch (error) {
      return { kind: 'unknown', reason: `history unreadable: ${(error as Error).message}` };
    }
    return { kind: 'unknown', reason: `no ${APPROVAL_STATE_NAME} state in the history` };
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

/** The events after the approval Task was entered, oldest first. */
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
