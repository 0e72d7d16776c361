import { randomUUID } from 'node:crypto';

/** A Function URL (API Gateway v2 payload) event, as Lambda builds it from an HTTP request. */
export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: '$default';
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: {
    accountId: 'anonymous';
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: '$default';
    stage: '$default';
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

export interface FunctionUrlResult {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What a Function URL invokes: the deployed handler, or the same code in-process. */
export type FunctionUrlHandler = (
  event: FunctionUrlEvent,
  context?: unknown,
) => Promise<FunctionUrlResult | string>;

/**
 * Lambda base64-encodes every body whose content type is not text/* or JSON — Slack's
 * form-encoded interaction posts included — and lower-cases header names.
 */
export function functionUrlEventFor(request: {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp?: string;
}): FunctionUrlEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const contentType = headers['content-type'] ?? '';
  const text = /^(text\/|application\/json)/i.test(contentType);
  const [path = '/', query = ''] = request.path.split('?', 2);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'simulated',
      domainName: 'simulated.lambda-url.us-east-1.on.aws',
      domainPrefix: 'simulated',
      http: {
        method: request.method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length > 0
      ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') }
      : {}),
    isBase64Encoded: request.body.length > 0 && !text,
  };
}

/** A handler's answer as the HTTP response Lambda would send (a bare string is a 200 body). */
export function normaliseResult(result: FunctionUrlResult | string): {
  status: number;
  body: string;
} {
  if (typeof result === 'string') return { status: 200, body: result };
  return { status: result.statusCode ?? 200, body: result.body ?? '' };
}
