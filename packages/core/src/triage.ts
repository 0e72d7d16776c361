import { normaliseEvent } from './events/normalise';
import type { PlaybookStarter, StartedPlaybook } from './playbookStarter';
import type { Plan, Planner } from './policy/plan';

export interface TriageResult {
  plan: Plan;
  /** null when the plan has no playbook (nothing to do, reason says why). */
  execution: StartedPlaybook | null;
}

/**
 * Event → Finding → Plan → playbook execution. Throws EventValidationError /
 * UnrecognisedEventError for input that is not a valid event of a supported source.
 */
export async function triage(
  event: unknown,
  planner: Planner,
  starter: PlaybookStarter,
  now: Date = new Date(),
): Promise<TriageResult> {
  const plan = planner.plan(normaliseEvent(event));
  const execution = plan.playbook ? await starter.start(plan, now) : null;
  return { plan, execution };
}
