import { EC2Client } from '@aws-sdk/client-ec2';
import { captureEvidence } from '@tourniquet/actions/captureEvidence';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the capture-evidence action. */
export const handler = createActionHandler(captureEvidence, {
  clients: { ec2: EC2Client },
  kube: eksKube,
});
