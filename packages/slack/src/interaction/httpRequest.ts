import { BodyTooLargeError } from '../errors';

/**
 * Slack's interaction payloads carry the whole message; Tourniquet's stay well under 40 KB even
 * URL-encoded with hostile text at every limit. Anything beyond this is refused unread.
 */
export const MAX_BODY_BYTES = 128 * 1024;

/** An HTTP request as a Lambda Function URL delivers it (API Gateway v2 payload), reduced. */
export interface HttpRequest {
  method: string;
  /** Header names in lower case, as Function URLs deliver them. */
  headers: Readonly<Record<string, string | undefined>>;
  body: string | undefined;
  isBase64Encoded: boolean;
  sourceIp: string | null;
  requestId: string | null;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The body bytes exactly as sent. Function URLs base64-encode bodies that are not text or JSON
 * (Slack posts `application/x-www-form-urlencoded`), so decode first; the size is checked on the
 * encoded length before decoding, and on the bytes after.
 */
export function rawBody(request: HttpRequest, limit = MAX_BODY_BYTES): Buffer {
  const body = request.body ?? '';
  if (request.isBase64Encoded) {
    const estimate = Math.floor((body.length * 3) / 4);
    if (estimate > limit + 2) throw new BodyTooLargeError(estimate, limit);
    const bytes = Buffer.from(body, 'base64');
    if (bytes.length > limit) throw new BodyTooLargeError(bytes.length, limit);
    return bytes;
  }
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length > limit) throw new BodyTooLargeError(bytes.length, limit);
  return bytes;
}
