import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the protect-node action. */
export const handler = createActionHandler('protect-node');
