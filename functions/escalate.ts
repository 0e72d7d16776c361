import { createEscalateHandler } from './lib/ticketHandlers';
import { ticketServiceFromEnv } from './lib/ticketRuntime';

/**
 * The expired-approval closer, loaded and built when an approval first expires: the other
 * escalations (a failed step, a pod NOT isolated) never touch Slack or the approvals table, so a
 * cold start neither loads the Slack code nor parses the approval settings. A closer that cannot
 * be built fails the closing only, which the handler logs; the page goes out regardless.
 */
let closer: Promise<(incidentKey: string) => Promise<string[]>> | undefined;

/**
 * Pages on-call and records on the incident and its tickets what failed or expired; after an
 * expired approval, also closes the stale request (approvals table and Slack message).
 */
export const handler = createEscalateHandler(ticketServiceFromEnv('escalate'), async (key) => {
  closer ??= import('./lib/expiredApprovals').then((m) => m.expiredApprovalCloser());
  return (await closer)(key);
});
