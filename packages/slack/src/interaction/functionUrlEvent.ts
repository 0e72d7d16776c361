import type { HttpRequest } from './httpRequest';

/** The parts of a Lambda Function URL event (API Gateway v2 payload) the endpoint reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: {
    requestId?: string;
    http?: { method?: string; sourceIp?: string };
  };
}

export function fromFunctionUrlEvent(event: FunctionUrlEvent): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {}))
    headers[name.toLowerCase()] = value;
  return {
    method: event.requestContext?.http?.method ?? 'POST',
    headers,
    body: event.body,
    isBase64Encoded: event.isBase64Encoded ?? false,
    sourceIp: event.requestContext?.http?.sourceIp ?? null,
    requestId: event.requestContext?.requestId ?? null,
  };
}
