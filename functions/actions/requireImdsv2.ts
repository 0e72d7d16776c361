import { EC2Client } from '@aws-sdk/client-ec2';
import { requireImdsv2 } from '@tourniquet/actions/requireImdsv2';
import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the require-imdsv2 action. */
export const handler = createActionHandler(requireImdsv2, { clients: { ec2: EC2Client } });
