import { createHash } from 'node:crypto';
import type { Finding } from './finding';
import type { Plan } from './policy/plan';

/** One hour: a finding re-published within the window joins the running execution. */
export const DEFAULT_EXECUTION_WINDOW_SECONDS = 3600;

export interface StartedPlaybook {
  /** `duplicate`: an execution for this incident and window exists; the incident is updated. */
  status: 'started' | 'duplicate';
  executionName: string;
  executionArn: string | null;
}

/** Starts the playbook execution for a plan. One implementation per runtime (AWS, local). */
export interface PlaybookStarter {
  start(plan: Plan, at: Date): Promise<StartedPlaybook>;
}

const NAME_LIMIT = 80;

/**
 * Step Functions execution name for an incident and time window: at most 80 characters of
 * `[A-Za-z0-9_-]`, readable prefix, and a hash of the full key so truncation never merges two
 * incidents. The same key in the same window always yields the same name, which is what makes
 * StartExecution the de-duplication point.
 */
export function executionName(
  incidentKey: string,
  at: Date,
  windowSeconds = DEFAULT_EXECUTION_WINDOW_SECONDS,
): string {
  const window = Math.floor(at.getTime() / 1000 / windowSeconds);
  const hash = createHash('sha256').update(incidentKey).digest('hex').slice(0, 12);
  const suffix = `-${hash}-${window}`;
  const readable = incidentKey.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${readable.slice(0, NAME_LIMIT - suffix.length)}${suffix}`;
}

/** What a playbook execution receives: the plan, with the finding minus its raw event. */
export interface PlaybookInput {
  incidentKey: string;
  playbook: NonNullable<Plan['playbook']>;
  reason: string;
  steps: Plan['steps'];
  skipped: Plan['skipped'];
  finding: Omit<Finding, 'raw'>;
}

export function playbookInput(plan: Plan): PlaybookInput {
  if (!plan.playbook) throw new Error(`incident ${plan.incidentKey} has no playbook to start`);
  const { raw: _raw, ...finding } = plan.finding;
  return {
    incidentKey: plan.incidentKey,
    playbook: plan.playbook,
    reason: plan.reason,
    steps: plan.steps,
    skipped: plan.skipped,
    finding,
  };
}
