import type { ActionName } from '../actions';

/**
 * Conditions under which a planned step runs only once an earlier step has reported what it
 * found. Data, not branches: the plan names the condition, the playbook definition turns it into
 * a Choice on the earlier step's result (guarded by IsPresent, so a result without the field,
 * a dry run or a skipped step, never runs the step).
 */
export const STEP_CONDITIONS = {
  /** isolate-pod found nothing that cuts the pod (no enforcer, SGP standard mode, …). */
  'pod-not-isolated': {
    after: 'isolate-pod',
    /** Path in the step's result, relative to `$.results.<stepKey(after)>`. */
    field: 'data.isolated',
    /** The value of `field` that makes the condition hold. */
    equals: false,
    text: 'only if isolate-pod reports the pod NOT isolated',
  },
} as const satisfies Record<
  string,
  { after: ActionName; field: string; equals: boolean; text: string }
>;

export type StepCondition = keyof typeof STEP_CONDITIONS;

/** JSONPath-safe key of a condition (`pod-not-isolated` → `podNotIsolated`). */
export function conditionKey(condition: StepCondition): string {
  return condition.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The page sent when a condition held: what the earlier step reported (its own words, e.g.
 * `NOT isolated: nothing enforces NetworkPolicy …`) and the escalation steps that follow.
 */
export function conditionPageText(
  condition: StepCondition,
  results: Record<string, { target?: string; detail?: string } | null | undefined> | null,
  steps: ReadonlyArray<{ action: string; target: string; onlyIf?: string }> | null | undefined,
): string {
  const { after } = STEP_CONDITIONS[condition];
  const result = results?.[after.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
  const reported = (result?.detail ?? '').replace(/^NOT isolated:\s*/, '');
  const following = (steps ?? []).filter((s) => s.onlyIf === condition);
  const headline =
    condition === 'pod-not-isolated'
      ? `pod NOT isolated: ${reported || `${after} reported no mechanism that holds`}${result?.target ? ` (${result.target})` : ''}.`
      : `${condition}: ${reported}`;
  return [
    headline,
    following.length > 0
      ? `Escalating to ${following.map((s) => `${s.action} ${s.target}`).join(', ')}: approval requested separately.`
      : 'No planned step can cut it off: on-call must act.',
    'On-call paged.',
  ].join(' ');
}
