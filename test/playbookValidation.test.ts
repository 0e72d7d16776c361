import { runPlaybookLocally } from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { runTicketOnly, TICKET_FUNCTION } from './helpers/ticketOnlyRun';

const ticketThen = (next: string) => ({
  StartAt: 'open-ticket',
  States: {
    'open-ticket': { Type: 'Task', Resource: TICKET_FUNCTION, ResultPath: '$.ticket', Next: next },
    done: { Type: 'Succeed' },
  },
});

describe('local playbook runner: definitions are validated as ASL', () => {
  it('a valid definition runs, every time; one that is not valid is refused, every time', async () => {
    for (let i = 0; i < 2; i++) {
      const { execution } = await runTicketOnly(runPlaybookLocally, ticketThen('done'), 'valid');
      expect(execution.status).toBe('SUCCEEDED');
    }
    // Same shape, a Next that names no state: a different definition, checked on its own.
    for (let i = 0; i < 2; i++) {
      await expect(
        runTicketOnly(runPlaybookLocally, ticketThen('missing'), 'invalid'),
      ).rejects.toThrow(/missing|Next|state/i);
    }
  });
});
