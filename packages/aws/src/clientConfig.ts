/**
 * Shared AWS SDK v3 client settings: adaptive retry (client-side rate limiting under throttling)
 * with a bounded number of attempts. The endpoint comes from AWS_ENDPOINT_URL when set, which
 * is how the local runtime points every client at moto.
 */
export function awsClientConfig(overrides: { region?: string; endpoint?: string } = {}) {
  return {
    region:
      overrides.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    retryMode: 'adaptive' as const,
    maxAttempts: 5,
    ...(overrides.endpoint ? { endpoint: overrides.endpoint } : {}),
  };
}
