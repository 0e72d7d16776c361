import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { revokeRoleSessions } from '@tourniquet/actions/revokeRoleSessions';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the revoke-role-sessions action (EC2 only to count who shares a node role). */
export const handler = createActionHandler(revokeRoleSessions, {
  clients: { ec2: EC2Client, iam: IAMClient },
  kube: eksKube,
});
