import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { protectNode } from '@tourniquet/actions/protectNode';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the protect-node action. */
export const handler = createActionHandler(protectNode, {
  clients: { ec2: EC2Client, autoscaling: AutoScalingClient },
  kube: eksKube,
});
