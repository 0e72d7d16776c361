import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ClusterConfig } from '@tourniquet/core';
import type { KubeAdapter } from '@tourniquet/kube';
import type { DetectorState } from './guardDutyFeatures';

/** pass: ready; warn: works, with a gap worth closing; fail: Tourniquet cannot do its job. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One check's verdict; `fix` is the one thing to do about a warn or a fail. */
export interface DoctorCheck {
  /** A cluster's name, or `<account> <region>` for an account's regional check. */
  scope: string;
  check: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

/** The read-only clients the checks use in one account and region. */
export interface DoctorClients {
  eks: EKSClient;
  ec2: EC2Client;
  config: ConfigServiceClient;
  events: EventBridgeClient;
  sqs: SQSClient;
}

/** How the doctor reaches a deployed stage (AWS) or the local emulators (`--local`). */
export interface DoctorAccess {
  /** Against moto and the Kubernetes simulator: what they lack is reported, not passed. */
  local: boolean;
  stage: string;
  /** The stage's home region: its routing rules and dead-letter queue. */
  homeRegion: string;
  /** The account the stage is deployed to (the hub). */
  account: string;
  /** Whether the stage creates the EKS access entries (`deploy.accessEntries`). */
  accessEntries: boolean;
  /** Whether these credentials read `account` (an operator is signed in to one account). */
  readable(account: string): boolean;
  aws(region: string, account: string): DoctorClients;
  kube(cluster: ClusterConfig): Promise<KubeAdapter>;
  detector(region: string, account: string): Promise<DetectorState | null>;
  /** `--local`: the scenario's authentication mode for a cluster (moto's DescribeCluster has none). */
  scenarioAuthenticationMode?(cluster: string): string | undefined;
}

/**
 * A call moto does not implement: its REST services answer an unknown route with an HTML 404,
 * which the SDK reports as a JSON SyntaxError (docs/aws-behaviours.md).
 */
export function isNotEmulated(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'SyntaxError' && e.$metadata?.httpStatusCode === 404;
}
