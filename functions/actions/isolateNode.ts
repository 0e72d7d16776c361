import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the isolate-node action. */
export const handler = createActionHandler('isolate-node');
