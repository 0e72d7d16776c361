import { ERRORS } from '../playbooks/asl';

/** Base of the incident store's errors; `name` is what callers and Step Functions match on. */
export class IncidentStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IncidentStoreError';
  }
}

/** Another writer changed the incident since it was read; read again and decide again. */
export class IncidentVersionConflictError extends IncidentStoreError {
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    options?: ErrorOptions,
  ) {
    super(`incident ${key} changed since version ${expectedVersion}`, options);
    this.name = 'IncidentVersionConflictError';
  }
}

/** A change that the incident's state does not allow (e.g. resolved → contained). */
export class IncidentTransitionError extends IncidentStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IncidentTransitionError';
  }
}

/**
 * Contention did not settle within the attempts: named like the actions' transient error so the
 * playbook's Retry (which matches `TransientActionError`) runs the step again later.
 */
export class IncidentBusyError extends IncidentStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERRORS.transient;
  }
}
