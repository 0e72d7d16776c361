import type { ApprovalDecision } from '@tourniquet/core';
import { type TaskCompleter, TaskGoneError } from '@tourniquet/slack';

export type TaskCompletion =
  | { kind: 'success'; output: Extract<ApprovalDecision, { decision: 'approved' }> }
  | { kind: 'failure'; error: string; cause: string }
  /** Nobody completed the task before the waiter gave up (the local stand-in for a timeout). */
  | { kind: 'timed-out' };

/**
 * Completes the approval Tasks of playbooks run in-process (aws-local-stepfunctions has no
 * SendTaskSuccess): the approver waits on the token, the decision endpoint completes it.
 * Like Step Functions, a token can be completed once; after that it is gone.
 */
export class InProcessTaskCompleter implements TaskCompleter {
  private readonly waiting = new Map<string, (completion: TaskCompletion) => void>();

  wait(taskToken: string): Promise<TaskCompletion> {
    if (this.waiting.has(taskToken)) throw new Error('a local task already waits for this token');
    return new Promise((resolve) => this.waiting.set(taskToken, resolve));
  }

  /** Gives up waiting; resolves the waiter as timed out unless it was completed already. */
  giveUp(taskToken: string): void {
    this.settle(taskToken, { kind: 'timed-out' }, false);
  }

  async succeed(taskToken: string, output: Extract<ApprovalDecision, { decision: 'approved' }>) {
    this.settle(taskToken, { kind: 'success', output }, true);
  }

  async fail(taskToken: string, error: string, cause: string) {
    this.settle(taskToken, { kind: 'failure', error, cause }, true);
  }

  private settle(taskToken: string, completion: TaskCompletion, strict: boolean): void {
    const resolve = this.waiting.get(taskToken);
    if (!resolve) {
      if (strict)
        throw new TaskGoneError('no local task waits for this token (completed or timed out)');
      return;
    }
    this.waiting.delete(taskToken);
    resolve(completion);
  }
}
