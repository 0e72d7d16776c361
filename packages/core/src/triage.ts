import { blastRadiusScope, type CapacityLedger, cappedPlan, hourWindow } from './blastRadius';
import { normaliseEvent } from './events/normalise';
import type { PlaybookStarter, StartedPlaybook } from './playbookStarter';
import { type ConfigRuleResolver, identifyConfigRule } from './policy/configRuleIdentity';
import type { Plan, Planner } from './policy/plan';

export interface TriageResult {
  plan: Plan;
  /** The blast-radius budget was spent: containment was replaced by a ticket and a page. */
  capped: boolean;
  /** null when the plan has no playbook (nothing to do, reason says why). */
  execution: StartedPlaybook | null;
}

/**
 * Event → Finding → Plan → playbook execution. Throws EventValidationError /
 * UnrecognisedEventError for input that is not a valid event of a supported source. With
 * `configRules`, a Config rule is identified by its Source (DescribeConfigRules) instead of its
 * name.
 */
export async function triage(
  event: unknown,
  planner: Planner,
  starter: PlaybookStarter,
  now: Date = new Date(),
  ledger?: CapacityLedger,
  configRules?: ConfigRuleResolver,
): Promise<TriageResult> {
  const finding = normaliseEvent(event);
  let plan = planner.plan(configRules ? await identifyConfigRule(finding, configRules) : finding);
  let capped = false;
  const budget = ledger ? blastRadiusScope(plan, planner.config.blastRadius) : null;
  if (
    ledger &&
    budget &&
    !(await ledger.admit(budget.scope, plan.incidentKey, budget.limit, hourWindow(now)))
  ) {
    plan = cappedPlan(plan, budget.what, budget.limit);
    capped = true;
  }
  const execution = plan.playbook ? await starter.start(plan, now) : null;
  return { plan, capped, execution };
}
