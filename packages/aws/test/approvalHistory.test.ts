import type { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { StepFunctionsTaskCompleter } from '../src';

/** An execution history as GetExecutionHistory pages it (only the fields the completer reads). */
function historyClient(events: Array<{ type: string; name?: string }>): SFNClient {
  return {
    send: async () => ({
      events: events.map((e, i) => ({
        id: i + 1,
        type: e.type,
        ...(e.name ? { stateEnteredEventDetails: { name: e.name } } : {}),
      })),
    }),
  } as unknown as SFNClient;
}

describe('Approval history: which approval Task a doubtful decision belongs to', () => {
  it('after the upfront approval succeeded, an escalation request still waiting is reported waiting', async () => {
    const completer = new StepFunctionsTaskCompleter(
      historyClient([
        { type: 'TaskStateEntered', name: 'Request approval' },
        { type: 'TaskSucceeded' },
        { type: 'TaskStateEntered', name: 'Request approval (isolate-node)' },
        { type: 'TaskScheduled' },
      ]),
    );
    expect(await completer.outcome('arn:aws:states:us-east-1:111122223333:execution:x:y')).toEqual({
      kind: 'waiting',
    });
  });

  it("the escalation request's own success settles it", async () => {
    const completer = new StepFunctionsTaskCompleter(
      historyClient([
        { type: 'TaskStateEntered', name: 'Request approval' },
        { type: 'TaskFailed' },
        { type: 'TaskStateEntered', name: 'Request approval (isolate-node)' },
        { type: 'TaskSucceeded' },
      ]),
    );
    expect(await completer.outcome('arn:aws:states:us-east-1:111122223333:execution:x:y')).toEqual({
      kind: 'succeeded',
    });
  });
});
