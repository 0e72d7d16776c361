import { labelPod } from '@tourniquet/actions/labelPod';
import { createActionHandler } from '../lib/actionHandler';
import { eksKube } from '../lib/kubeRuntime';

/** Step Functions Task for the label-pod action. */
export const handler = createActionHandler(labelPod, { clients: {}, kube: eksKube });
