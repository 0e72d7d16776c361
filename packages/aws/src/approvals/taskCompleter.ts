import type { ApprovalDecision } from '@tourniquet/core';

/**
 * Ends a waiting approval Task. Step Functions in AWS (SendTaskSuccess / SendTaskFailure); the
 * local runtime resolves its in-process Task instead. Implementations throw TaskGoneError when
 * nothing waits for the token any more, TaskCompletionError when the call may succeed later.
 */
export interface TaskCompleter {
  succeed(
    taskToken: string,
    output: Extract<ApprovalDecision, { decision: 'approved' }>,
  ): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}
