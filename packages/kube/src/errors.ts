/** The `Status` object the API server answers a failed request with. */
export interface KubeStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
    retryAfterSeconds?: number;
  };
  code?: number;
}

/**
 * The API server answered outside 2xx. `code` is the HTTP status as a number, the field
 * @kubernetes/client-node's ApiException carries and the actions' error classification reads
 * (429 and 5xx retry, the rest escalate).
 */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    /** The Status body when the server sent JSON, else the raw text (empty for none). */
    readonly body: KubeStatus | string,
    readonly headers: Readonly<Record<string, string>>,
    request: { method: string; path: string },
  ) {
    const status = typeof body === 'string' ? null : body;
    const detail = status?.message ?? (typeof body === 'string' ? body.slice(0, 200) : '');
    super(
      `${request.method} ${request.path}: HTTP ${code}${status?.reason ? ` ${status.reason}` : ''}${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'KubeApiError';
  }

  /** The Status reason (`NotFound`, `AlreadyExists`, `Invalid`, `TooManyRequests`...), if any. */
  get reason(): string | undefined {
    return typeof this.body === 'string' ? undefined : this.body.reason;
  }

  /** Seconds the server asked to wait (Retry-After), for 429 and some 5xx. */
  get retryAfterSeconds(): number | undefined {
    const header = Number(this.headers['retry-after']);
    if (Number.isFinite(header) && this.headers['retry-after'] !== undefined) return header;
    return typeof this.body === 'string' ? undefined : this.body.details?.retryAfterSeconds;
  }
}

/**
 * The request got no HTTP answer: refused, reset, timed out, or TLS failed. `code` is Node's
 * error code (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`...),
 * a string, so network faults classify as transient and TLS failures as permanent.
 */
export class KubeRequestError extends Error {
  readonly code: string;

  constructor(request: { method: string; path: string }, cause: Error & { code?: string }) {
    super(`${request.method} ${request.path}: ${cause.message}`, { cause });
    this.name = 'KubeRequestError';
    this.code = cause.code ?? 'ERR_KUBE_REQUEST';
  }
}

/** Whether `error` is the API server's answer with HTTP status `code`. */
export function isKubeStatus(error: unknown, code: number): boolean {
  return error instanceof KubeApiError && error.code === code;
}
