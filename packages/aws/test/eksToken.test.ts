import { describe, expect, it } from 'vitest';
import { EKS_TOKEN_PREFIX, eksToken } from '../src';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2025-03-10T14:41:05Z');

async function decode(token: string): Promise<URL> {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url without padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

describe('EKS bearer token', () => {
  it('is a presigned STS GetCallerIdentity URL on the regional endpoint', async () => {
    const url = await decode(
      await eksToken({ clusterName: 'prod-eks-01', region: 'us-east-1', credentials, signingDate }),
    );
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.us-east-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
  });

  it('signs the x-k8s-aws-id header, so the token only works for that cluster', async () => {
    const url = await decode(
      await eksToken({ clusterName: 'prod-eks-01', region: 'us-east-1', credentials, signingDate }),
    );
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIDEXAMPLE/20250310/us-east-1/sts/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const other = await decode(
      await eksToken({ clusterName: 'other', region: 'us-east-1', credentials, signingDate }),
    );
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(
      url.searchParams.get('X-Amz-Signature'),
    );
  });

  it('expires 60 seconds after signing, signed at the given time', async () => {
    const url = await decode(
      await eksToken({ clusterName: 'prod-eks-01', region: 'eu-west-1', credentials, signingDate }),
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20250310T144105Z');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
  });

  it("uses the partition's STS host: amazonaws.com.cn in China, amazonaws.com in GovCloud", async () => {
    const china = await decode(
      await eksToken({ clusterName: 'c', region: 'cn-north-1', credentials, signingDate }),
    );
    expect(china.host).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(china.searchParams.get('X-Amz-Credential')).toBe(
      'AKIDEXAMPLE/20250310/cn-north-1/sts/aws4_request',
    );
    const gov = await decode(
      await eksToken({ clusterName: 'c', region: 'us-gov-west-1', credentials, signingDate }),
    );
    expect(gov.host).toBe('sts.us-gov-west-1.amazonaws.com');
  });

  it('carries the session token of temporary credentials', async () => {
    const url = await decode(
      await eksToken({
        clusterName: 'c',
        region: 'us-east-1',
        credentials: { ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLE' },
        signingDate,
      }),
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FQoGZXIvYXdzEXAMPLE');
  });

  it('is deterministic for the same inputs', async () => {
    const options = { clusterName: 'prod-eks-01', region: 'us-east-1', credentials, signingDate };
    expect(await eksToken(options)).toBe(await eksToken(options));
  });
});
