import {
  MAX_CLOCK_SKEW_SECONDS,
  MAX_SIGNATURE_AGE_SECONDS,
  SignatureError,
  signSlackRequest,
  verifySlackRequest,
} from '@tourniquet/slack';
import { describe, expect, it } from 'vitest';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const ts = 1531420618;
// Slack's own worked example (docs: "Verifying requests from Slack").
const body =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const signature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const at = (seconds: number) => new Date((ts + seconds) * 1000);

function problem(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    return (error as SignatureError).problem;
  }
}

describe('Slack request signing', () => {
  it("reproduces Slack's documented example signature", () => {
    expect(signSlackRequest(secret, ts, body)).toBe(signature);
    expect(signSlackRequest(secret, ts, Buffer.from(body))).toBe(signature);
  });

  it('accepts the example within five minutes', () => {
    expect(
      problem(() =>
        verifySlackRequest(secret, { signature, timestamp: String(ts), rawBody: body }, at(0)),
      ),
    ).toBeNull();
    expect(
      problem(() =>
        verifySlackRequest(
          secret,
          { signature, timestamp: String(ts), rawBody: body },
          at(MAX_SIGNATURE_AGE_SECONDS),
        ),
      ),
    ).toBeNull();
  });

  it('refuses a timestamp older than five minutes, even correctly signed', () => {
    expect(
      problem(() =>
        verifySlackRequest(
          secret,
          { signature, timestamp: String(ts), rawBody: body },
          at(MAX_SIGNATURE_AGE_SECONDS + 1),
        ),
      ),
    ).toBe('stale');
  });

  it('refuses a timestamp further in the future than the allowed skew', () => {
    const future = ts + MAX_CLOCK_SKEW_SECONDS + 1;
    const signed = signSlackRequest(secret, future, body);
    expect(
      problem(() =>
        verifySlackRequest(
          secret,
          { signature: signed, timestamp: String(future), rawBody: body },
          at(0),
        ),
      ),
    ).toBe('future');
  });

  it('refuses a body changed by one byte, another secret, a missing or malformed header', () => {
    const request = { signature, timestamp: String(ts), rawBody: body };
    expect(
      problem(() => verifySlackRequest(secret, { ...request, rawBody: `${body}x` }, at(0))),
    ).toBe('mismatch');
    expect(problem(() => verifySlackRequest(`${secret}0`, request, at(0)))).toBe('mismatch');
    expect(
      problem(() => verifySlackRequest(secret, { ...request, signature: undefined }, at(0))),
    ).toBe('missing');
    expect(
      problem(() => verifySlackRequest(secret, { ...request, timestamp: undefined }, at(0))),
    ).toBe('missing');
    expect(
      problem(() => verifySlackRequest(secret, { ...request, signature: 'v1=abc' }, at(0))),
    ).toBe('malformed');
    expect(
      problem(() =>
        verifySlackRequest(
          secret,
          { ...request, signature: signature.toUpperCase().replace('V0', 'v0') },
          at(0),
        ),
      ),
    ).toBe('malformed');
    expect(problem(() => verifySlackRequest(secret, { ...request, timestamp: '1e9' }, at(0)))).toBe(
      'malformed',
    );
  });
});
