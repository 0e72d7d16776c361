import { TourniquetError } from '../errors';

/** Base of every approval error; the CLI and the Slack endpoint match on `name`. */
export class ApprovalError extends TourniquetError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalError';
  }
}

/** An approval id that is not one this store could have issued (typo, truncation, probing). */
export class InvalidApprovalIdError extends ApprovalError {
  constructor(value: string) {
    super(
      `'${value.slice(0, 64)}' is not an approval id (expected apr_ and 22 base64url characters)`,
    );
    this.name = 'InvalidApprovalIdError';
  }
}

/**
 * Step Functions no longer waits for this task token: the Task timed out, the execution ended,
 * or the token was already used. The decision can no longer move the playbook.
 */
export class TaskGoneError extends ApprovalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskGoneError';
  }
}

/** Completing the task failed for a reason that may pass (throttling, network): try again. */
export class TaskCompletionError extends ApprovalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskCompletionError';
  }
}

/** A decision's proof of identity was refused: malformed, not for STS, or STS said no. */
export class DecisionProofError extends ApprovalError {
  readonly retryable: boolean;
  constructor(message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.name = 'DecisionProofError';
    this.retryable = options?.retryable ?? false;
  }
}
