import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the require-imdsv2 action. */
export const handler = createActionHandler('require-imdsv2');
