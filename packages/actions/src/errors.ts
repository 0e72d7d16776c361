/**
 * Typed action errors. Lambda reports `error.name` as the error type, so Step Functions Retry /
 * Catch match on these names: Transient → retry with backoff; the others → escalate.
 */
export class ActionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionError';
  }
}

/** Throttling, 5xx, timeouts, dropped connections: the same call may succeed later. */
export class TransientActionError extends ActionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientActionError';
  }
}

/** Retrying cannot help: missing permission, bad configuration, invalid request. */
export class PermanentActionError extends ActionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentActionError';
  }
}

/** The state read back after apply does not hold. */
export class VerificationFailedError extends ActionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VerificationFailedError';
  }
}

/** Parameters that do not validate against the action's schema. */
export class InvalidParametersError extends PermanentActionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidParametersError';
  }
}

const TRANSIENT_AWS_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServerException',
]);
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'TimeoutError',
]);

/** Maps an AWS SDK, Kubernetes client or network error to a typed action error. */
export function classifyError(error: unknown, doing: string): ActionError {
  if (error instanceof ActionError) return error;
  const e = error as {
    name?: string;
    code?: string | number;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    cause?: { code?: string };
  };
  const status = e.$metadata?.httpStatusCode ?? (typeof e.code === 'number' ? e.code : undefined);
  const message = `${doing}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  const transient =
    TRANSIENT_AWS_CODES.has(e.name ?? '') ||
    Boolean(e.$retryable) ||
    (status !== undefined && (status === 429 || status >= 500)) ||
    TRANSIENT_NETWORK_CODES.has(String(e.code ?? e.cause?.code ?? e.name ?? ''));
  return transient
    ? new TransientActionError(message, { cause: error })
    : new PermanentActionError(message, { cause: error });
}
