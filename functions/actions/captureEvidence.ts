import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the capture-evidence action. */
export const handler = createActionHandler('capture-evidence');
