import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { awsClientConfig } from './clientConfig';

/** The AWS clients the response actions use, one set per region. */
export interface AwsClients {
  region: string;
  ec2: EC2Client;
  /**
   * EC2 without SDK retries, for calls that are not idempotent and take no client token
   * (CreateSnapshot): a retried request whose first answer was lost would act twice. The
   * caller re-checks what happened instead.
   */
  ec2Once: EC2Client;
  iam: IAMClient;
  eks: EKSClient;
  autoscaling: AutoScalingClient;
}

export interface AwsClientOverrides {
  endpoint?: string;
  /** Static keys, or a provider (a member account's assumed-role credentials). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Replaces the adaptive retry strategy (local fault injection retries without sleeping). */
  retryStrategy?: EC2ClientConfig['retryStrategy'];
}

export function createAwsClients(region: string, overrides: AwsClientOverrides = {}): AwsClients {
  const config = {
    ...awsClientConfig({ region, endpoint: overrides.endpoint }),
    ...(overrides.credentials ? { credentials: overrides.credentials } : {}),
    ...(overrides.retryStrategy ? { retryStrategy: overrides.retryStrategy } : {}),
  };
  return {
    region,
    ec2: new EC2Client(config),
    ec2Once: new EC2Client({ ...withoutRetryStrategy(config), maxAttempts: 1 }),
    iam: new IAMClient(config),
    eks: new EKSClient(config),
    autoscaling: new AutoScalingClient(config),
  };
}

/** A configured retry strategy would override `maxAttempts: 1`: the one-shot client drops it. */
function withoutRetryStrategy<C extends { retryStrategy?: unknown }>(config: C) {
  const { retryStrategy: _ignored, ...rest } = config;
  return rest;
}
