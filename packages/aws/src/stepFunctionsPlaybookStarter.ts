import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DEFAULT_EXECUTION_WINDOW_SECONDS,
  executionName,
  isIdempotentRepeat,
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
  /** Wall clock the request time is read from. */
  clock?: () => Date;
  /** Clock skew allowed between this caller and Step Functions (default 1000 ms). */
  clockSkewMs?: number;
  /**
   * The reach of the plan's cluster (`reachKeyFor`): anything but `public` starts that reach's
   * state machine, `<playbook>-<reach>`, whose Kubernetes steps run in the cluster's VPC.
   */
  reachOf?: (plan: Plan) => string;
}

const DEFAULT_CLOCK_SKEW_MS = 1000;

/**
 * Starts one Standard execution per incident key and time window. The execution name is derived
 * from the key, so a repeat of the finding (or another finding on the same pod) hits
 * ExecutionAlreadyExists instead of starting a second run. A retried start with identical input
 * while the execution runs succeeds with the original start date: that too joins the execution.
 */
export class StepFunctionsPlaybookStarter implements PlaybookStarter {
  constructor(private readonly options: StepFunctionsPlaybookStarterOptions) {}

  async start(plan: Plan, at: Date): Promise<StartedPlaybook> {
    const input = playbookInput(plan);
    const reach = this.options.reachOf?.(plan) ?? 'public';
    const machine = reach === 'public' ? input.playbook : `${input.playbook}-${reach}`;
    // Never falls back to the public copy: its functions cannot reach a VPC-only cluster.
    const stateMachineArn = (this.options.stateMachines as Record<string, string | undefined>)[
      machine
    ];
    if (!stateMachineArn) {
      throw new Error(
        reach === 'public'
          ? `no state machine is configured for playbook ${input.playbook}`
          : `no state machine is configured for playbook ${input.playbook} in VPC reach ${reach} (${machine})`,
      );
    }
    const name = executionName(
      plan.incidentKey,
      at,
      this.options.windowSeconds ?? DEFAULT_EXECUTION_WINDOW_SECONDS,
    );
    try {
      const sentAt = (this.options.clock ?? (() => new Date()))();
      const result = await this.options.client.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      const skew = this.options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
      return {
        status: isIdempotentRepeat(result.startDate, sentAt, skew) ? 'duplicate' : 'started',
        executionName: name,
        executionArn: result.executionArn ?? executionArnFor(stateMachineArn, name),
      };
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
