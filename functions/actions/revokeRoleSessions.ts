import { IAMClient } from '@aws-sdk/client-iam';
import { revokeRoleSessions } from '@tourniquet/actions/revokeRoleSessions';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the revoke-role-sessions action. */
export const handler = createActionHandler(revokeRoleSessions, {
  clients: { iam: IAMClient },
  kube: eksKube,
});
