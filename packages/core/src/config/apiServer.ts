import { X509Certificate } from 'node:crypto';
import * as z from '../zod';

/**
 * A cluster's API server as DescribeCluster reports it: `cluster.endpoint` and
 * `cluster.certificateAuthority.data`. Given in the config, the Kubernetes-using functions
 * connect without calling DescribeCluster on a cold start.
 */
export const apiServerEndpointSchema = z.string().check(
  z.refine(isHttpsOrigin, {
    message:
      'expected the API server URL DescribeCluster returns, https://<id>.<suffix>.<region>.eks.amazonaws.com (https, no path)',
  }),
);

export const certificateAuthoritySchema = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = certificateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

function isHttpsOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      url.protocol === 'https:' &&
      url.hostname !== '' &&
      (url.pathname === '/' || url.pathname === '') &&
      url.search === '' &&
      url.hash === '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

/** Why `value` is not a base64-encoded PEM certificate (the form EKS returns), or null. */
function certificateProblem(value: string): string | null {
  const text = value.trim();
  if (text.startsWith('-----BEGIN')) {
    return 'expected the base64-encoded PEM (certificateAuthority.data from DescribeCluster), not the PEM itself: base64-encode it';
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    return 'expected base64 (certificateAuthority.data from DescribeCluster)';
  }
  const pem = Buffer.from(text, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    return 'expected base64 of a PEM certificate (-----BEGIN CERTIFICATE-----)';
  }
  try {
    const certificate = new X509Certificate(pem);
    if (!certificate.ca)
      return 'expected the cluster CA certificate, but this certificate is not a CA';
  } catch (error) {
    return `the certificate does not parse: ${(error as Error).message}`;
  }
  return null;
}
