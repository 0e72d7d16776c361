import type { ActionRuntime } from '@tourniquet/actions';
import { runActionRequest } from '@tourniquet/actions';
import type {
  ApprovalRequest,
  AslDefinition,
  AslState,
  EscalationRequest,
  PlaybookFunctions,
  PlaybookInput,
  TicketRequest,
} from '@tourniquet/core';
import { StateMachine } from 'aws-local-stepfunctions';
import { asFunction } from './invokedFunction';
import type { Approver, TicketDesk } from './localServices';
import { supplyWithResolvers } from './withResolvers';

export interface TimelineEntry {
  state: string;
  type: string;
  startedAt: number;
  durationMs: number;
  outcome: 'succeeded' | 'failed' | 'retried' | 'caught';
  output?: unknown;
  error?: string;
}

export interface LocalExecution {
  status: 'SUCCEEDED' | 'FAILED';
  /** The execution's output; for a failed one, the state it held when it failed (or null). */
  output: PlaybookInput | null;
  error: { name: string; cause: string } | null;
  timeline: TimelineEntry[];
}

/**
 * Definitions already checked by the ASL validator in this process. The check compiles its JSON
 * schemas on every construction (a tenth of a second or more for a playbook), and a definition
 * that passed once passes again: each distinct definition is still validated, once per process
 * (kept on the global object, so a test that reloads its modules does not validate again).
 */
const VALIDATED_KEY = Symbol.for('tourniquet.validatedPlaybookDefinitions');
const shared = globalThis as { [VALIDATED_KEY]?: Set<string> };
shared[VALIDATED_KEY] ??= new Set<string>();
const VALIDATED: Set<string> = shared[VALIDATED_KEY];
const KEYS = new WeakMap<object, string>();
function definitionKey(definition: AslDefinition): string {
  let key = KEYS.get(definition);
  if (key === undefined) {
    key = JSON.stringify(definition);
    KEYS.set(definition, key);
  }
  return key;
}

/** A named error as Step Functions sees it (`Error` = name). */
class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface LocalPlaybookDeps {
  runtime: ActionRuntime;
  functions: PlaybookFunctions;
  approver: Approver;
  desk: TicketDesk;
  /** Fault injection for tests: called before each Task; may throw. */
  beforeTask?: (state: string, input: unknown) => void | Promise<void>;
}

/**
 * Runs a playbook definition in-process with aws-local-stepfunctions. Every Task is overridden
 * to call the real handler code (actions against the emulators, the approver, the ticket desk);
 * retries wait 0 ms. The approval Task does the waitForTaskToken round trip: it asks the
 * approver and answers like SendTaskSuccess / SendTaskFailure, or times out.
 */
export async function runPlaybookLocally(
  definition: AslDefinition,
  input: PlaybookInput,
  deps: LocalPlaybookDeps,
): Promise<LocalExecution> {
  supplyWithResolvers();
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const byArn = new Map(
    Object.entries(deps.functions.actions).map(([action, arn]) => [arn, action]),
  );
  for (const [name, state] of taskStates(definition.States)) {
    retryIntervalOverrides[name] = 0;
    const resource = state.Resource as string;
    const call = async (taskInput: unknown): Promise<unknown> => {
      await deps.beforeTask?.(name, taskInput);
      const action = byArn.get(resource);
      if (action) return asFunction(action, () => runActionRequest(taskInput, deps.runtime));
      if (resource.endsWith(':lambda:invoke.waitForTaskToken')) {
        return asFunction('request-approval', () =>
          approve((taskInput as { Payload: ApprovalRequest }).Payload, deps.approver),
        );
      }
      if (resource === deps.functions.ticket)
        return asFunction('open-ticket', () => deps.desk.openTicket(taskInput as TicketRequest));
      if (resource === deps.functions.escalate)
        return asFunction('escalate', () => deps.desk.escalate(taskInput as EscalationRequest));
      throw new StatesError('States.Runtime', `no local handler for ${resource}`);
    };
    handlers[name] = async (taskInput) => {
      try {
        return (await call(taskInput)) as never;
      } catch (error) {
        // Keep the error's name (TransientActionError, ApprovalDenied…) for Retry/Catch matching.
        const e = error as Error;
        throw new StatesError(e.name || 'Error', e.message);
      }
    };
  }

  const machine = new StateMachine(definition as never, {
    validationOptions: { checkArn: false, noValidate: VALIDATED.has(definitionKey(definition)) },
  });
  VALIDATED.add(definitionKey(definition));
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
    context: {
      Execution: {
        Id: `local:${input.incidentKey}`,
        Input: input as never,
        Name: 'local',
        StartTime: new Date().toISOString(),
      },
      Task: { Token: `local-task-token:${input.incidentKey}` },
    } as never,
  });
  const timeline = collectTimeline(execution.eventLogs);
  try {
    const output = (await execution.result) as LocalExecution['output'];
    return { status: 'SUCCEEDED', output, error: null, timeline: await timeline };
  } catch (error) {
    // ExecutionError wraps what failed the execution (a Fail state's Error/Cause).
    const e = error as Error & { cause?: Error };
    const failed = e.name === 'ExecutionError' && e.cause instanceof Error ? e.cause : e;
    const entries = await timeline;
    return {
      status: 'FAILED',
      output: lastState(entries),
      error: { name: failed.name, cause: failed.message },
      timeline: entries,
    };
  }
}

/** Every Task, Parallel branches included (state names are unique across the machine). */
function taskStates(states: Record<string, AslState>): Array<[string, AslState]> {
  return Object.entries(states).flatMap(([name, state]): Array<[string, AslState]> => {
    if (state.Type === 'Task') return [[name, state]];
    if (state.Type !== 'Parallel') return [];
    const branches = state.Branches as Array<{ States: Record<string, AslState> }>;
    return branches.flatMap((branch) => taskStates(branch.States));
  });
}

/**
 * A failed execution has no output; the state it held when the Fail state was reached (what
 * the escalation saw: every result and failure) is the last complete state a state exited with.
 */
function lastState(entries: readonly TimelineEntry[]): LocalExecution['output'] {
  const last = entries.findLast(
    (t) =>
      t.outcome === 'succeeded' &&
      typeof t.output === 'object' &&
      t.output !== null &&
      'incidentKey' in t.output &&
      'failures' in t.output,
  );
  return (last?.output as LocalExecution['output']) ?? null;
}

async function approve(request: ApprovalRequest, approver: Approver): Promise<unknown> {
  const decision = await approver(request);
  if (decision.decision === 'approved') return decision;
  if (decision.decision === 'denied')
    throw new StatesError('ApprovalDenied', `denied by ${decision.by}`);
  throw new StatesError('States.Timeout', 'the approval request expired');
}

async function collectTimeline(
  events: AsyncGenerator<{
    type: string;
    timestamp: number;
    state?: { name: string; type: string; output?: unknown };
    Error?: string;
    Cause?: unknown;
  }>,
): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [];
  const open = new Map<string, number>();
  for await (const event of events) {
    const state = event.state;
    if (!state) continue;
    if (event.type === 'StateEntered') {
      open.set(state.name, event.timestamp);
      continue;
    }
    const startedAt = open.get(state.name) ?? event.timestamp;
    const base = {
      state: state.name,
      type: state.type,
      startedAt,
      durationMs: event.timestamp - startedAt,
    };
    if (event.type === 'StateExited')
      entries.push({ ...base, outcome: 'succeeded', output: state.output });
    else if (event.type === 'StateFailed')
      entries.push({ ...base, outcome: 'failed', error: `${event.Error}: ${String(event.Cause)}` });
    else if (event.type === 'StateRetried') entries.push({ ...base, outcome: 'retried' });
    else if (event.type === 'StateCaught') entries.push({ ...base, outcome: 'caught' });
  }
  return entries;
}
