import {
  DEFAULT_EXECUTION_WINDOW_SECONDS,
  executionName,
  type Plan,
  type PlaybookStarter,
  playbookDefinition,
  playbookInput,
  type StartedPlaybook,
} from '@tourniquet/core';
import { type LocalExecution, type LocalPlaybookDeps, runPlaybookLocally } from './runPlaybook';

/** Step Functions' answer to StartExecution on a name in use with other input, or closed. */
export class ExecutionAlreadyExistsError extends Error {
  constructor(name: string) {
    super(`Execution Already Exists: '${name}'`);
    this.name = 'ExecutionAlreadyExists';
  }
}

interface Started {
  input: string;
  startDate: Date;
  running: boolean;
  result: Promise<LocalExecution>;
}

/**
 * The local stand-in for StartExecution: one execution per incident key and window (by the same
 * execution name the AWS starter uses), run in-process to completion. Names behave as a Standard
 * workflow's do: identical input while the execution runs returns it again (with its original
 * start date); other input, or a finished execution, is ExecutionAlreadyExists.
 */
export class LocalPlaybookStarter implements PlaybookStarter {
  readonly executions = new Map<string, Promise<LocalExecution>>();
  private readonly started = new Map<string, Started>();

  constructor(
    private readonly deps: LocalPlaybookDeps,
    private readonly windowSeconds = DEFAULT_EXECUTION_WINDOW_SECONDS,
  ) {}

  async start(plan: Plan, at: Date): Promise<StartedPlaybook> {
    const name = executionName(plan.incidentKey, at, this.windowSeconds);
    const input = playbookInput(plan);
    try {
      const { created } = this.startExecution(name, input);
      return {
        status: created ? 'started' : 'duplicate',
        executionName: name,
        executionArn: `local:${name}`,
      };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError)
        return { status: 'duplicate', executionName: name, executionArn: null };
      throw error;
    }
  }

  /** StartExecution as Step Functions answers it for a Standard workflow. */
  startExecution(
    name: string,
    input: ReturnType<typeof playbookInput>,
  ): { startDate: Date; created: boolean } {
    const json = JSON.stringify(input);
    const existing = this.started.get(name);
    if (existing) {
      if (existing.running && existing.input === json)
        return { startDate: existing.startDate, created: false };
      throw new ExecutionAlreadyExistsError(name);
    }
    const result = runPlaybookLocally(
      playbookDefinition(input.playbook, this.deps.functions),
      input,
      this.deps,
    );
    const entry: Started = { input: json, startDate: new Date(), running: true, result };
    const settle = () => {
      entry.running = false;
    };
    result.then(settle, settle);
    this.started.set(name, entry);
    this.executions.set(name, result);
    return { startDate: entry.startDate, created: true };
  }

  /** The execution started under `name`, to await its result. */
  execution(name: string): Promise<LocalExecution> {
    const execution = this.executions.get(name);
    if (!execution) throw new Error(`no local execution named ${name}`);
    return execution;
  }
}
