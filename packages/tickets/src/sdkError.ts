import { PermanentTicketError, type TicketError, TransientTicketError } from './errors';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'InternalException',
  'InternalServerError',
  'ServiceUnavailableException',
  'RequestTimeout',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);

/** Maps an AWS SDK error to a ticket error: throttling, 5xx and network trouble are transient. */
export function sdkError(error: unknown, doing: string): TicketError {
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  const message = `${doing}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  const transient =
    Boolean(e.$retryable) ||
    TRANSIENT_NAMES.has(e.name ?? '') ||
    TRANSIENT_NAMES.has(e.code ?? '') ||
    (status !== undefined && (status === 429 || status >= 500));
  return transient
    ? new TransientTicketError(message, { cause: error })
    : new PermanentTicketError(message, status ?? null, { cause: error });
}
