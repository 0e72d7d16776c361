import { ERRORS } from '@tourniquet/core';

/** Base of the ticket errors. Lambda reports `name` as the error type; Step Functions matches it. */
export class TicketError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TicketError';
  }
}

/**
 * The sink is down, throttling or timing out: the same call may work later. Named like the
 * actions' transient error (`TransientActionError`) because that is the name the playbook's
 * Retry matches; the incident records the failure before this is thrown.
 */
export class TransientTicketError extends TicketError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERRORS.transient;
  }
}

/** The sink refused the request (credentials, permissions, validation): retrying cannot help. */
export class PermanentTicketError extends TicketError {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PermanentTicketError';
  }
}

/**
 * Another invocation holds the claim to create this incident's ticket and is creating it now.
 * Transient: on retry the ticket exists and gets a comment instead.
 */
export class TicketCreationInProgressError extends TransientTicketError {}

/** Ticket settings or credentials that do not validate; the message names the field. */
export class TicketSettingsError extends TicketError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TicketSettingsError';
  }
}

/** A ticket request (playbook Task input) that does not have the contract's shape. */
export class InvalidTicketRequestError extends TicketError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTicketRequestError';
  }
}
