import { EC2Client } from '@aws-sdk/client-ec2';
import { cordonNode } from '@tourniquet/actions/cordonNode';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the cordon-node action. */
export const handler = createActionHandler(cordonNode, {
  clients: { ec2: EC2Client },
  kube: eksKube,
});
