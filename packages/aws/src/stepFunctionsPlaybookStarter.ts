import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DEFAULT_EXECUTION_WINDOW_SECONDS,
  executionName,
  type Plan,
  type PlaybookStarter,
  playbookInput,
  type StartedPlaybook,
  type StateMachineName,
} from '@tourniquet/core';

export interface StepFunctionsPlaybookStarterOptions {
  client: SFNClient;
  /** State machine ARN per playbook. */
  stateMachines: Readonly<Partial<Record<StateMachineName, string>>>;
  windowSeconds?: number;
}

/**
 * Starts one Standard execution per incident key and time window. The execution name is derived
 * from the key, so a repeat of the finding (or another finding on the same pod) hits
 * ExecutionAlreadyExists instead of starting a second run.
 */
export class StepFunctionsPlaybookStarter implements PlaybookStarter {
  constructor(private readonly options: StepFunctionsPlaybookStarterOptions) {}

  async start(plan: Plan, at: Date): Promise<StartedPlaybook> {
    const input = playbookInput(plan);
    const stateMachineArn = this.options.stateMachines[input.playbook];
    if (!stateMachineArn) {
      throw new Error(`no state machine is configured for playbook ${input.playbook}`);
    }
    const name = executionName(
      plan.incidentKey,
      at,
      this.options.windowSeconds ?? DEFAULT_EXECUTION_WINDOW_SECONDS,
    );
    try {
      const result = await this.options.client.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { status: 'started', executionName: name, executionArn: result.executionArn ?? null };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        return {
          status: 'duplicate',
          executionName: name,
          executionArn: executionArnFor(stateMachineArn, name),
        };
      }
      throw error;
    }
  }
}

/** `arn:…:stateMachine:<sm>` → `arn:…:execution:<sm>:<name>`. */
function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
