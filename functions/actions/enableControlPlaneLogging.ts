import { EKSClient } from '@aws-sdk/client-eks';
import { enableControlPlaneLogging } from '@tourniquet/actions/enableControlPlaneLogging';
import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the enable-control-plane-logging action. */
export const handler = createActionHandler(enableControlPlaneLogging, {
  clients: { eks: EKSClient },
});
