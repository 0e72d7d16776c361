import type { AslDefinition, PlaybookFunctions, PlaybookInput } from '@tourniquet/core';
import type { runPlaybookLocally } from '@tourniquet/testkit';

export const TICKET_FUNCTION = 'arn:aws:lambda:us-east-1:111122223333:function:tourniquet-ticket';

/**
 * Runs `definition` with the local runner where the only function is the ticket Task: no
 * actions, no approver; the desk opens LOCAL-1 and records the incident keys it opened for.
 */
export async function runTicketOnly(
  run: typeof runPlaybookLocally,
  definition: unknown,
  incidentKey: string,
) {
  const opened: string[] = [];
  const execution = await run(
    definition as AslDefinition,
    { incidentKey } as unknown as PlaybookInput,
    {
      runtime: {} as never,
      functions: {
        actions: {},
        approval: 'unused',
        ticket: TICKET_FUNCTION,
        escalate: 'unused',
      } as unknown as PlaybookFunctions,
      approver: {} as never,
      desk: {
        openTicket: (request) => {
          opened.push(request.incidentKey);
          return { ticketId: 'LOCAL-1', created: true, dryRun: false };
        },
        escalate: () => {
          throw new Error('no escalation expected');
        },
      },
    },
  );
  return { execution, opened };
}
