import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { lazyAwsClients } from './lazyAwsClients';

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

/** Every client, each built on first use: what local runs and tests use. */
export function createAwsClients(region: string, overrides: AwsClientOverrides = {}): AwsClients {
  return lazyAwsClients(
    region,
    { ec2: EC2Client, iam: IAMClient, eks: EKSClient, autoscaling: AutoScalingClient },
    { owner: 'createAwsClients', overrides },
  );
}
