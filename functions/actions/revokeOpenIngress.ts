import { createActionHandler } from '../lib/actionHandler';

/** Step Functions Task for the revoke-open-ingress action. */
export const handler = createActionHandler('revoke-open-ingress');
