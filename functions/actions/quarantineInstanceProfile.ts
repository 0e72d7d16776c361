import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the quarantine-instance-profile action. */
export const handler = createActionHandler('quarantine-instance-profile');
