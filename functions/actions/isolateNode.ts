import { EC2Client } from '@aws-sdk/client-ec2';
import { isolateNode } from '@tourniquet/actions/isolateNode';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the isolate-node action. */
export const handler = createActionHandler(isolateNode, {
  clients: { ec2: EC2Client },
  kube: eksKube,
});
