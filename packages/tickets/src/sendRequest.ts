import { PermanentTicketError, TransientTicketError } from './errors';

export interface SinkRequest {
  /** For messages: `jira open`, `servicenow comment`… */
  doing: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (attachments). */
  body?: Blob | FormData | string;
  timeoutMs?: number;
}

export interface SinkResponse {
  status: number;
  json: unknown;
}

/** Longer than any sink normally takes, shorter than the ticket Lambda's timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One HTTP call to a ticket system with plain fetch. Network errors, timeouts, 408, 429 and 5xx
 * are transient (the playbook retries the step); other 4xx are permanent. No retry here: the
 * playbook's Retry has the backoff and jitter, and the incident records each failure.
 */
export async function sendRequest(request: SinkRequest): Promise<SinkResponse> {
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  let body: Blob | FormData | string | undefined = request.body;
  if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const reason = e.cause?.code ?? e.name;
    throw new TransientTicketError(`${request.doing}: ${reason}: ${e.message}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    const message = `${request.doing}: HTTP ${response.status}: ${text.slice(0, 300)}`;
    const status = response.status;
    if (status === 408 || status === 429 || status >= 500) throw new TransientTicketError(message);
    throw new PermanentTicketError(message, status);
  }
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
  }
  return { status: response.status, json };
}

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}
