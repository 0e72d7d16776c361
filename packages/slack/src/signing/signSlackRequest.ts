import { createHmac } from 'node:crypto';

export const SLACK_SIGNATURE_VERSION = 'v0';

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`. The body
 * may be given as the bytes received, so nothing is re-encoded on the way.
 */
export function signSlackRequest(
  signingSecret: string,
  timestamp: number | string,
  rawBody: string | Uint8Array,
): string {
  const hmac = createHmac('sha256', signingSecret).update(
    `${SLACK_SIGNATURE_VERSION}:${timestamp}:`,
    'utf8',
  );
  if (typeof rawBody === 'string') hmac.update(rawBody, 'utf8');
  else hmac.update(rawBody);
  return `${SLACK_SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}
