import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the label-pod action. */
export const handler = createActionHandler('label-pod');
