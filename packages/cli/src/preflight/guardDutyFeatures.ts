import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** A region's GuardDuty detector and the status of each of its features. */
export interface DetectorState {
  detectorId: string;
  status: string;
  features: Record<string, string>;
}

/**
 * ListDetectors + GetDetector over GuardDuty's REST API, SigV4-signed: two read-only calls do
 * not justify another SDK client in the CLI. Null when the region has no detector.
 */
export async function readDetector(options: {
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Another endpoint (moto); default `$AWS_ENDPOINT_URL`, else GuardDuty's regional one. */
  endpoint?: string;
}): Promise<DetectorState | null> {
  const base =
    options.endpoint ??
    (process.env.AWS_ENDPOINT_URL?.trim() || `https://guardduty.${options.region}.amazonaws.com`);
  const signer = new SignatureV4({
    service: 'guardduty',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  const get = async (path: string) => {
    const url = new URL(path, base);
    const signed = await signer.sign(
      new HttpRequest({
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        headers: { host: url.host, accept: 'application/json' },
      }),
    );
    const response = await fetch(url, {
      headers: signed.headers,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `GuardDuty GET ${url.pathname} answered HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    return JSON.parse(text) as Record<string, unknown>;
  };
  const { detectorIds } = (await get('/detector')) as { detectorIds?: string[] };
  const detectorId = detectorIds?.[0];
  if (!detectorId) return null;
  const detector = (await get(`/detector/${encodeURIComponent(detectorId)}`)) as {
    status?: string;
    features?: Array<{ name?: string; status?: string }>;
  };
  return {
    detectorId,
    status: detector.status ?? 'UNKNOWN',
    features: Object.fromEntries(
      (detector.features ?? []).map((f) => [f.name ?? '', f.status ?? 'UNKNOWN']),
    ),
  };
}
