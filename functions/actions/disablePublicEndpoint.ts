import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the disable-public-endpoint action. */
export const handler = createActionHandler('disable-public-endpoint');
