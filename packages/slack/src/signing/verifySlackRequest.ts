import { timingSafeEqual } from 'node:crypto';
import { SIGNATURE_PROBLEM, SignatureError } from '../errors';
import { signSlackRequest } from './signSlackRequest';

/** Slack's guidance: refuse requests signed more than five minutes ago (replay window). */
export const MAX_SIGNATURE_AGE_SECONDS = 300;
/** A clock a little ahead of ours is tolerated; far-future timestamps would widen the window. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

export interface SignedRequest {
  signature: string | undefined;
  timestamp: string | undefined;
  /** Exactly the bytes Slack sent; never a re-serialised form. */
  rawBody: string | Uint8Array;
}

/**
 * Throws SignatureError unless the request carries a fresh, valid Slack signature. The compare
 * is constant-time over equal-length buffers, so timing reveals nothing about the expected value.
 */
export function verifySlackRequest(signingSecret: string, request: SignedRequest, now: Date): void {
  const { signature, timestamp } = request;
  if (!signature || !timestamp) {
    throw new SignatureError(
      SIGNATURE_PROBLEM.missing,
      'missing X-Slack-Signature or X-Slack-Request-Timestamp header',
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new SignatureError(
      SIGNATURE_PROBLEM.malformed,
      'X-Slack-Request-Timestamp is not epoch seconds',
    );
  }
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) {
    throw new SignatureError(
      SIGNATURE_PROBLEM.malformed,
      'X-Slack-Signature is not a v0 signature',
    );
  }
  const age = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (age > MAX_SIGNATURE_AGE_SECONDS) {
    throw new SignatureError(
      SIGNATURE_PROBLEM.stale,
      `request timestamp is ${age}s old; requests older than ${MAX_SIGNATURE_AGE_SECONDS}s are refused`,
    );
  }
  if (-age > MAX_CLOCK_SKEW_SECONDS) {
    throw new SignatureError(
      SIGNATURE_PROBLEM.future,
      `request timestamp is ${-age}s in the future; more than ${MAX_CLOCK_SKEW_SECONDS}s is refused`,
    );
  }
  const expected = Buffer.from(signSlackRequest(signingSecret, timestamp, request.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // Both are `v0=` + 64 hex characters here, so the lengths are equal and the compare is safe.
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new SignatureError(
      SIGNATURE_PROBLEM.mismatch,
      'signature does not match the request body',
    );
  }
}
