import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the isolate-pod action. */
export const handler = createActionHandler('isolate-pod');
