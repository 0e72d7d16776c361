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

/**
 * The local stand-in for StartExecution: one execution per incident key and window (by the same
 * execution name the AWS starter uses), run in-process to completion.
 */
export class LocalPlaybookStarter implements PlaybookStarter {
  readonly executions = new Map<string, Promise<LocalExecution>>();

  constructor(
    private readonly deps: LocalPlaybookDeps,
    private readonly windowSeconds = DEFAULT_EXECUTION_WINDOW_SECONDS,
  ) {}

  async start(plan: Plan, at: Date): Promise<StartedPlaybook> {
    const name = executionName(plan.incidentKey, at, this.windowSeconds);
    if (this.executions.has(name))
      return { status: 'duplicate', executionName: name, executionArn: null };
    const input = playbookInput(plan);
    this.executions.set(
      name,
      runPlaybookLocally(playbookDefinition(input.playbook, this.deps.functions), input, this.deps),
    );
    return { status: 'started', executionName: name, executionArn: `local:${name}` };
  }

  /** The execution started under `name`, to await its result. */
  execution(name: string): Promise<LocalExecution> {
    const execution = this.executions.get(name);
    if (!execution) throw new Error(`no local execution named ${name}`);
    return execution;
  }
}
