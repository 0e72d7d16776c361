import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the cordon-node action. */
export const handler = createActionHandler('cordon-node');
