import type { ApprovalDecision } from '../playbooks/serviceContracts';

/**
 * What the execution's history says became of the approval Task: the settled answer when a
 * SendTask* call timed out or its response was lost, so the decision is neither repeated blindly
 * nor rolled back while the playbook already acts on it.
 */
export type ApprovalTaskOutcome =
  | { kind: 'succeeded' }
  | { kind: 'failed'; error: string | null }
  | { kind: 'timed-out' }
  /** The execution ended (aborted, failed elsewhere) without the Task completing. */
  | { kind: 'ended'; status: string }
  | { kind: 'waiting' }
  | { kind: 'unknown'; reason: string };

/**
 * Ends a waiting approval Task. Step Functions in AWS (SendTaskSuccess / SendTaskFailure); the
 * local runtime resolves its in-process Task instead. Implementations throw TaskGoneError when
 * nothing waits for the token any more, TaskCompletionError when the outcome is not known (the
 * call failed, timed out, or its answer was lost).
 */
export interface TaskCompleter {
  succeed(
    taskToken: string,
    output: Extract<ApprovalDecision, { decision: 'approved' }>,
  ): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
  /** Reads how the execution's approval Task ended; absent where there is no history to read. */
  outcome?(executionArn: string): Promise<ApprovalTaskOutcome>;
}
