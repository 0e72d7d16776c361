import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { TaskCompletionError, TaskGoneError } from './errors';
import type { TaskCompleter } from './taskCompleter';

/** SendTaskFailure's `cause` limit (Step Functions rejects longer ones). */
const MAX_CAUSE = 32_768;

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
        `Step Functions did not accept the decision: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
