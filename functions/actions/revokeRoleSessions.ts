import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the revoke-role-sessions action. */
export const handler = createActionHandler('revoke-role-sessions');
