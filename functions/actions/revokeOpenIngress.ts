import { EC2Client } from '@aws-sdk/client-ec2';
import { revokeOpenIngress } from '@tourniquet/actions/revokeOpenIngress';
import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the revoke-open-ingress action. */
export const handler = createActionHandler(revokeOpenIngress, { clients: { ec2: EC2Client } });
