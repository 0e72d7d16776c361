import { TourniquetError } from '@tourniquet/core';

/** Base of the Slack package's errors. */
export class SlackApprovalError extends TourniquetError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SlackApprovalError';
  }
}

export const SIGNATURE_PROBLEM = {
  missing: 'missing',
  malformed: 'malformed',
  stale: 'stale',
  future: 'future',
  mismatch: 'mismatch',
} as const;
export type SignatureProblem = (typeof SIGNATURE_PROBLEM)[keyof typeof SIGNATURE_PROBLEM];

/** A request that cannot be shown to come from Slack: nothing in it is trusted. */
export class SignatureError extends SlackApprovalError {
  constructor(
    readonly problem: SignatureProblem,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** A request body over the size limit; rejected before it is read further. */
export class BodyTooLargeError extends SlackApprovalError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`request body is ${bytes} bytes; the limit is ${limit}`);
    this.name = 'BodyTooLargeError';
  }
}

/** A signed request whose payload is not an interaction Tourniquet understands. */
export class InteractionPayloadError extends SlackApprovalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InteractionPayloadError';
  }
}

/** The approval request from the playbook does not have the contract's shape. */
export class InvalidApprovalRequestError extends SlackApprovalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidApprovalRequestError';
  }
}

/** The Slack secret (bot token, signing secret) is missing or malformed. */
export class SlackSecretError extends SlackApprovalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SlackSecretError';
  }
}

/** A Slack Web API call failed: Slack said no (`error` is its code), or it could not be reached. */
export class SlackCallError extends SlackApprovalError {
  constructor(
    readonly method: string,
    /** Slack's error code (`invalid_auth`, `channel_not_found`…) or `unreachable`/`rate_limited`. */
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`Slack ${method} failed: ${code}`, options);
    this.name = 'SlackCallError';
  }
}
