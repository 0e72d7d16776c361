import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ActionJournal, IncidentHead, IncidentStore } from '@tourniquet/core';
import {
  type ActionName,
  executionName,
  type Finding,
  releasableFromJournal,
  releaseInput,
  type Target,
} from '@tourniquet/core';
import { releaseFinding } from './releaseFinding';

/** One release per incident within this window: a repeat (double click, retry) joins it. */
export const RELEASE_WINDOW_SECONDS = 300;

export interface IncidentReleaseDeps {
  store: Pick<IncidentStore, 'head'>;
  journal: Pick<ActionJournal, 'list'>;
  sfn: SFNClient;
  /** The release state machine to start for this incident (its reach's copy, if any). */
  stateMachineArn: (finding: Omit<Finding, 'raw'>) => string;
  now: Date;
}

export type IncidentRelease =
  | { status: 'no-incident' }
  | { status: 'nothing-to-release'; head: IncidentHead }
  | {
      status: 'started' | 'already-running';
      head: IncidentHead;
      executionArn: string;
      steps: Array<{ action: ActionName; subject: Target }>;
    };

/**
 * Starts the `release` playbook for an incident, as `tourniquet release` and the Slack Release
 * button both do. Everything comes from the incident's own records: the head names the
 * incident, the step journal's unreleased entries are the steps (what each undo restores is read
 * by the undo function itself, never from this input). The execution waits for approval like
 * any destructive step. A second start within RELEASE_WINDOW_SECONDS joins the first.
 */
export async function startIncidentRelease(
  incidentKey: string,
  deps: IncidentReleaseDeps,
): Promise<IncidentRelease> {
  const head = await deps.store.head(incidentKey);
  if (!head) return { status: 'no-incident' };
  const entries = await deps.journal.list(incidentKey);
  const steps = releasableFromJournal(entries);
  if (steps.length === 0) return { status: 'nothing-to-release', head };
  const finding = releaseFinding(head, entries);
  const input = releaseInput(incidentKey, finding, steps);
  const name = executionName(`release:${incidentKey}`, deps.now, RELEASE_WINDOW_SECONDS);
  const stateMachineArn = deps.stateMachineArn(finding);
  try {
    const started = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return {
      status: 'started',
      head,
      steps,
      executionArn: started.executionArn ?? executionArnOf(stateMachineArn, name),
    };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    return {
      status: 'already-running',
      head,
      steps,
      executionArn: executionArnOf(stateMachineArn, name),
    };
  }
}

function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
