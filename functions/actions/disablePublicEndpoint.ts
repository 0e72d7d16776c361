import { EKSClient } from '@aws-sdk/client-eks';
import { disablePublicEndpoint } from '@tourniquet/actions/disablePublicEndpoint';
import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the disable-public-endpoint action. */
export const handler = createActionHandler(disablePublicEndpoint, { clients: { eks: EKSClient } });
