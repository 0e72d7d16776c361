import { EC2Client } from '@aws-sdk/client-ec2';
import { isolatePod } from '@tourniquet/actions/isolatePod';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the isolate-pod action. */
export const handler = createActionHandler(isolatePod, {
  clients: { ec2: EC2Client },
  kube: eksKube,
});
