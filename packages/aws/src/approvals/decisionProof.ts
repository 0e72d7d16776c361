import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Choice } from '@tourniquet/core';
import { DecisionProofError, serviceHost } from '@tourniquet/core';

/**
 * The signed header that binds a proof to one decision, like `x-k8s-aws-id` binds an EKS token
 * to one cluster: STS only accepts the presigned request when the server sends this header with
 * exactly the signed value, so a proof for `deny` (or another approval) cannot approve.
 */
export const DECISION_HEADER = 'x-tourniquet-decision';
/** Seconds a proof stays valid: enough to reach the endpoint, too short to be worth stealing. */
export const PROOF_EXPIRES_SECONDS = 60;
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const STS_TIMEOUT_MS = 3000;
/** sts.amazonaws.com, sts.<region>.amazonaws.com, and the China partition's hosts. */
const STS_HOST = /^sts(\.[a-z]{2}(-[a-z]+)+-\d{1,2})?\.amazonaws\.com(\.cn)?$/;
const ALLOWED_QUERY = new Set([
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

export const decisionBinding = (approvalId: string, choice: Choice) => `${approvalId}:${choice}`;

export interface PresignDecisionOptions {
  approvalId: string;
  choice: Choice;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Only for a local STS stand-in (`http://127.0.0.1:<port>`); AWS's regional endpoint otherwise. */
  stsEndpoint?: string;
  signingDate?: Date;
}

/**
 * A presigned STS GetCallerIdentity URL that proves who the caller is to whoever sends it to
 * STS, for this one decision. Nothing secret leaves the machine: the URL carries a signature and
 * (for session credentials) the session token, valid for PROOF_EXPIRES_SECONDS and only together
 * with the decision header.
 */
export async function presignDecision(options: PresignDecisionOptions): Promise<string> {
  const endpoint = new URL(options.stsEndpoint ?? `https://${serviceHost('sts', options.region)}`);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: {
      host: endpoint.host,
      [DECISION_HEADER]: decisionBinding(options.approvalId, options.choice),
    },
  });
  const signed = await signer.presign(request, {
    expiresIn: PROOF_EXPIRES_SECONDS,
    signingDate: options.signingDate,
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(signed.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== null) query.append(key, v);
  }
  return `${endpoint.protocol}//${endpoint.host}/?${query.toString()}`;
}

export interface VerifyProofOptions {
  now: Date;
  /**
   * The one non-AWS origin a proof may name (`http://127.0.0.1:<port>`), for local runs; unset
   * when deployed, so a proof can only ever make the function call AWS STS.
   */
  localStsEndpoint?: string;
  fetch?: typeof fetch;
}

/**
 * Checks a proof without trusting it, sends it to STS with the decision header, and returns the
 * caller ARN STS answers with. Before anything is sent: the URL must name an STS endpoint (no
 * other host, port, credentials or path: the function must not become a proxy to anywhere), be a
 * GetCallerIdentity presigned with SigV4, sign the decision header, and be fresh.
 */
export async function verifyDecisionProof(
  proof: string,
  decision: { approvalId: string; choice: Choice },
  options: VerifyProofOptions,
): Promise<{ arn: string }> {
  const url = parseProofUrl(proof, options.localStsEndpoint);
  checkQuery(url.searchParams, options.now);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url.toString(), {
      method: 'GET',
      headers: {
        [DECISION_HEADER]: decisionBinding(decision.approvalId, decision.choice),
        accept: 'application/json',
      },
      redirect: 'error',
      signal: AbortSignal.timeout(STS_TIMEOUT_MS),
    });
  } catch (error) {
    throw new DecisionProofError(`STS could not be reached: ${(error as Error).message}`, {
      retryable: true,
    });
  }
  const text = (await response.text()).slice(0, 16_384);
  if (!response.ok) {
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw new DecisionProofError(
      `STS refused the proof (${code}): it was not signed for this decision, or has expired`,
      { retryable: response.status >= 500 },
    );
  }
  const arn = callerArn(text);
  if (!arn) throw new DecisionProofError('STS answered without a caller ARN', { retryable: true });
  return { arn };
}

function parseProofUrl(proof: string, localStsEndpoint: string | undefined) {
  if (!URL.canParse(proof)) throw new DecisionProofError('proof: not a URL');
  const url = new URL(proof);
  const local = localStsEndpoint ? new URL(localStsEndpoint) : null;
  const isLocal = local !== null && url.origin === local.origin;
  if (!isLocal) {
    if (url.protocol !== 'https:') throw new DecisionProofError('proof: must use https');
    if (!STS_HOST.test(url.hostname) || url.port !== '') {
      throw new DecisionProofError(
        `proof: ${url.host.slice(0, 100)} is not an AWS STS endpoint (sts[.<region>].amazonaws.com)`,
      );
    }
  }
  if (url.username || url.password) throw new DecisionProofError('proof: must not carry user info');
  if (url.pathname !== '/' || url.hash) throw new DecisionProofError('proof: path must be /');
  return url;
}

function checkQuery(q: URLSearchParams, now: Date): void {
  for (const key of new Set(q.keys())) {
    if (!ALLOWED_QUERY.has(key)) {
      throw new DecisionProofError(`proof: unexpected parameter ${key.slice(0, 64)}`);
    }
    if (q.getAll(key).length !== 1) throw new DecisionProofError(`proof: ${key} given twice`);
  }
  if (q.get('Action') !== 'GetCallerIdentity' || q.get('Version') !== '2011-06-15') {
    throw new DecisionProofError('proof: must be an STS GetCallerIdentity (Version 2011-06-15)');
  }
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !q.get('X-Amz-Signature')) {
    throw new DecisionProofError('proof: must be presigned with SigV4 (AWS4-HMAC-SHA256)');
  }
  const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signed.includes('host') || !signed.includes(DECISION_HEADER)) {
    throw new DecisionProofError(`proof: must sign the host and ${DECISION_HEADER} headers`);
  }
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > PROOF_EXPIRES_SECONDS) {
    throw new DecisionProofError(`proof: X-Amz-Expires must be 1–${PROOF_EXPIRES_SECONDS} seconds`);
  }
  const amzDate = q.get('X-Amz-Date') ?? '';
  if (!AMZ_DATE.test(amzDate))
    throw new DecisionProofError('proof: X-Amz-Date is missing or malformed');
  const signedAt = Date.parse(amzDate.replace(AMZ_DATE, '$1-$2-$3T$4:$5:$6Z'));
  if (
    signedAt > now.getTime() + MAX_CLOCK_SKEW_MS ||
    signedAt + expires * 1000 < now.getTime() - MAX_CLOCK_SKEW_MS
  ) {
    throw new DecisionProofError('proof: expired or signed in the future');
  }
}

/** The Arn of a GetCallerIdentity answer, JSON (Accept: application/json) or the query API's XML. */
function callerArn(text: string): string | null {
  try {
    const json = JSON.parse(text) as {
      GetCallerIdentityResponse?: { GetCallerIdentityResult?: { Arn?: unknown } };
    };
    const arn = json.GetCallerIdentityResponse?.GetCallerIdentityResult?.Arn;
    return typeof arn === 'string' ? arn : null;
  } catch {}
  const matches = [...text.matchAll(/<Arn>([^<]{1,2048})<\/Arn>/g)];
  return matches.length === 1 ? (matches[0]?.[1] ?? null) : null;
}
