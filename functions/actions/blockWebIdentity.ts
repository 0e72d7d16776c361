import { IAMClient } from '@aws-sdk/client-iam';
import { blockWebIdentity } from '@tourniquet/actions/blockWebIdentity';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the block-web-identity action. */
export const handler = createActionHandler(blockWebIdentity, {
  clients: { iam: IAMClient },
  kube: eksKube,
});
