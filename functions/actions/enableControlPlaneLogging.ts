import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the enable-control-plane-logging action. */
export const handler = createActionHandler('enable-control-plane-logging');
