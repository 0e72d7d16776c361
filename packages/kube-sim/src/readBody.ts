import type { IncomingMessage } from 'node:http';
import { RequestEntityTooLargeError } from './errors';

/** The API server refuses request bodies over 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The request body as text; drains (and refuses) bodies over the limit. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw new RequestEntityTooLargeError(MAX_BODY_BYTES);
  return Buffer.concat(chunks).toString('utf8');
}
