import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the block-web-identity action. */
export const handler = createActionHandler('block-web-identity');
