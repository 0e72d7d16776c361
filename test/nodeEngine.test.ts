import { readFileSync } from 'node:fs';
import type { AslDefinition, PlaybookFunctions, PlaybookInput } from '@tourniquet/core';
import { describe, expect, it } from 'vitest';

const TICKET = 'arn:aws:lambda:us-east-1:111122223333:function:tourniquet-ticket';

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
          'open-ticket': { Type: 'Task', Resource: TICKET, ResultPath: '$.ticket', End: true },
        },
      } as unknown as AslDefinition;
      const opened: string[] = [];
      const run = await runPlaybookLocally(
        definition,
        { incidentKey: 'node-engine' } as unknown as PlaybookInput,
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
      expect(run.error).toBeNull();
      expect(run.status).toBe('SUCCEEDED');
      expect(opened).toEqual(['node-engine']);
      expect(run.output).toMatchObject({ ticket: { ticketId: 'LOCAL-1' } });
    } finally {
      if (native) Object.defineProperty(Promise, 'withResolvers', native);
    }
  });
});
