import { presignDecision, verifyDecisionProof } from '@tourniquet/aws';
import { DecisionProofError } from '@tourniquet/core';
import { describe, expect, it } from 'vitest';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
};
const approvalId = 'apr_AAAAAAAAAAAAAAAAAAAAAA';
const now = new Date('2026-11-30T10:00:00Z');
const identity =
  '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/OnCall/alice</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>';

async function proof(mutate: (url: URL) => void = () => {}) {
  const url = new URL(
    await presignDecision({
      approvalId,
      choice: 'approve',
      region: 'eu-west-1',
      credentials,
      signingDate: now,
    }),
  );
  mutate(url);
  return url.toString();
}

/** A stand-in for STS that records what was sent to it. */
function sts(status = 200, body = identity) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string> });
    return new Response(body, { status });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

describe('Approvals: CLI decision proofs', () => {
  it('sends a well-formed proof to STS with the decision header from the request, and returns the ARN', async () => {
    const stub = sts();
    const url = await proof();
    expect(new URL(url).host).toBe('sts.eu-west-1.amazonaws.com');
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-tourniquet-decision');
    expect(
      await verifyDecisionProof(url, { approvalId, choice: 'deny' }, { now, fetch: stub.fetch }),
    ).toEqual({
      arn: 'arn:aws:sts::111122223333:assumed-role/OnCall/alice',
    });
    // The header comes from what is being decided: STS refuses it when the proof was for approve.
    expect(stub.calls[0]?.headers['x-tourniquet-decision']).toBe(`${approvalId}:deny`);
  });

  it.each([
    [
      'another host',
      (u: URL) => (u.hostname = 'sts.eu-west-1.amazonaws.com.evil.example'),
      /not an AWS STS endpoint/,
    ],
    ['a port', (u: URL) => (u.port = '8443'), /not an AWS STS endpoint/],
    ['plain http', (u: URL) => (u.protocol = 'http:'), /https/],
    ['user info', (u: URL) => (u.username = 'x'), /user info/],
    ['another path', (u: URL) => (u.pathname = '/redirect'), /path must be \//],
    ['another action', (u: URL) => u.searchParams.set('Action', 'AssumeRole'), /GetCallerIdentity/],
    [
      'an extra parameter',
      (u: URL) => u.searchParams.set('RoleArn', 'x'),
      /unexpected parameter RoleArn/,
    ],
    [
      'a repeated parameter',
      (u: URL) => u.searchParams.append('Action', 'GetCallerIdentity'),
      /given twice/,
    ],
    [
      'an unsigned decision header',
      (u: URL) => u.searchParams.set('X-Amz-SignedHeaders', 'host'),
      /must sign the host and x-tourniquet-decision/,
    ],
    ['a long validity', (u: URL) => u.searchParams.set('X-Amz-Expires', '900'), /X-Amz-Expires/],
    [
      'a stale signature',
      (u: URL) => u.searchParams.set('X-Amz-Date', '20261130T080000Z'),
      /expired/,
    ],
    ['no signature', (u: URL) => u.searchParams.delete('X-Amz-Signature'), /SigV4/],
  ])('refuses a proof with %s without sending it anywhere', async (_, mutate, message) => {
    const stub = sts();
    const url = await proof(mutate);
    await expect(
      verifyDecisionProof(url, { approvalId, choice: 'approve' }, { now, fetch: stub.fetch }),
    ).rejects.toThrow(message);
    expect(stub.calls).toHaveLength(0);
  });

  it('reports what STS refused, and that a failing STS may be retried', async () => {
    const refused = sts(
      403,
      '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>',
    );
    const error = await verifyDecisionProof(
      await proof(),
      { approvalId, choice: 'approve' },
      { now, fetch: refused.fetch },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(DecisionProofError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringContaining('SignatureDoesNotMatch'),
    });
    const down = sts(503, 'oops');
    await expect(
      verifyDecisionProof(
        await proof(),
        { approvalId, choice: 'approve' },
        { now, fetch: down.fetch },
      ),
    ).rejects.toMatchObject({ retryable: true });
  });

  it('accepts a local STS stand-in only when it is the configured one', async () => {
    const local = await presignDecision({
      approvalId,
      choice: 'approve',
      region: 'us-east-1',
      credentials,
      signingDate: now,
      stsEndpoint: 'http://127.0.0.1:4566',
    });
    const stub = sts();
    await expect(
      verifyDecisionProof(local, { approvalId, choice: 'approve' }, { now, fetch: stub.fetch }),
    ).rejects.toThrow(/https/);
    expect(
      await verifyDecisionProof(
        local,
        { approvalId, choice: 'approve' },
        { now, fetch: stub.fetch, localStsEndpoint: 'http://127.0.0.1:4566' },
      ),
    ).toMatchObject({ arn: expect.stringContaining('assumed-role/OnCall/alice') });
  });
});
