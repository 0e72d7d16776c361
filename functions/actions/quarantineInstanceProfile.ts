import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { quarantineInstanceProfile } from '@tourniquet/actions/quarantineInstanceProfile';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the quarantine-instance-profile action. */
export const handler = createActionHandler(quarantineInstanceProfile, {
  clients: { ec2: EC2Client, iam: IAMClient },
  kube: eksKube,
});
