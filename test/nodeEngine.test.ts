import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTicketOnly, TICKET_FUNCTION } from './helpers/ticketOnlyRun';

describe('Node engine', () => {
  it('package.json promises Node 20.19, the oldest Node the suite runs on', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
      engines: { node: string };
    };
    expect(manifest.engines.node).toBe('>=20.19');
  });

  // aws-local-stepfunctions declares Node ≥ 22 for one call, Promise.withResolvers, in every Task
  // state; the runner brings it where Node lacks it (Node 20), so the engine stays at 20.19.
  it('the local playbook runner completes a Task on a Node without Promise.withResolvers', async () => {
    const native = Object.getOwnPropertyDescriptor(Promise, 'withResolvers');
    delete (Promise as { withResolvers?: unknown }).withResolvers;
    try {
      const { runPlaybookLocally } = await import('@tourniquet/testkit');
      const definition = {
        StartAt: 'open-ticket',
        States: {
          'open-ticket': {
            Type: 'Task',
            Resource: TICKET_FUNCTION,
            ResultPath: '$.ticket',
            End: true,
          },
        },
      };
      const { execution: run, opened } = await runTicketOnly(
        runPlaybookLocally,
        definition,
        'node-engine',
      );
      expect(run.error).toBeNull();
      expect(run.status).toBe('SUCCEEDED');
      expect(opened).toEqual(['node-engine']);
      expect(run.output).toMatchObject({ ticket: { ticketId: 'LOCAL-1' } });
    } finally {
      if (native) Object.defineProperty(Promise, 'withResolvers', native);
    }
  });
});
