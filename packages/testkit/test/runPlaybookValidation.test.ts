import type { AslDefinition, PlaybookFunctions, PlaybookInput } from '@tourniquet/core';
import { describe, expect, it } from 'vitest';
import { runPlaybookLocally } from '../src/index';

const TICKET = 'arn:aws:lambda:us-east-1:111122223333:function:tourniquet-ticket';

function run(definition: unknown) {
  return runPlaybookLocally(
    definition as AslDefinition,
    { incidentKey: 'validation' } as unknown as PlaybookInput,
    {
      runtime: {} as never,
      functions: {
        actions: {},
        approval: 'unused',
        ticket: TICKET,
        escalate: 'unused',
      } as unknown as PlaybookFunctions,
      approver: {} as never,
      desk: {
        openTicket: () => ({ ticketId: 'LOCAL-1', created: true, dryRun: false }),
        escalate: () => {
          throw new Error('no escalation expected');
        },
      },
    },
  );
}

const ticketOnly = (next: string) => ({
  StartAt: 'open-ticket',
  States: {
    'open-ticket': { Type: 'Task', Resource: TICKET, ResultPath: '$.ticket', Next: next },
    done: { Type: 'Succeed' },
  },
});

describe('local playbook runner: definitions are validated as ASL', () => {
  it('a valid definition runs, every time; one that is not valid is refused, every time', async () => {
    for (let i = 0; i < 2; i++) expect((await run(ticketOnly('done'))).status).toBe('SUCCEEDED');
    // Same shape, a Next that names no state: a different definition, checked on its own.
    for (let i = 0; i < 2; i++) {
      await expect(run(ticketOnly('missing'))).rejects.toThrow(/missing|Next|state/i);
    }
  });
});
