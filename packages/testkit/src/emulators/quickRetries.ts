import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

type RetryStrategyV2 = Extract<
  NonNullable<EC2ClientConfig['retryStrategy']>,
  { acquireInitialRetryToken: unknown }
>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;

/**
 * The SDK's standard retry decisions (throttling, transient and server errors are retried; client
 * errors are not; at most `maxAttempts` tries) without its backoff sleeps. For local runs under
 * injected faults only: against loopback emulators the sleeps measure nothing but the clock.
 */
export function quickRetries(maxAttempts = 5): RetryStrategyV2 {
  const token = (count: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => 0,
  });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, errorInfo) => {
      const next = previous.getRetryCount() + 1;
      if (errorInfo.errorType === 'CLIENT_ERROR' || next >= maxAttempts) {
        throw new Error('no retry: the error is not retryable or the attempts are spent');
      }
      return token(next);
    },
    recordSuccess: () => {},
  };
}
