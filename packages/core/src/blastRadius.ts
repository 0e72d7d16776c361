import type { PlaybookName } from './actions';
import type { Plan } from './policy/plan';

/** How many distinct targets one cluster may lose per hour before Tourniquet stops and pages. */
export interface BlastRadiusLimits {
  maxPodsPerHour: number;
  maxNodesPerHour: number;
}

/**
 * Admits incidents into an hourly budget, atomically and idempotently: an incident already
 * admitted in the window is admitted again (a repeat finding costs nothing).
 */
export interface CapacityLedger {
  admit(scope: string, incidentKey: string, limit: number, window: number): Promise<boolean>;
}

const HOUR_SECONDS = 3600;

/** Which budget a plan draws on: pods for contain-pod, nodes for contain-node; none otherwise. */
export function blastRadiusScope(
  plan: Plan,
  limits: BlastRadiusLimits,
): { scope: string; limit: number; what: string } | null {
  const cluster = plan.finding.cluster;
  if (!cluster || plan.steps.every((s) => s.dryRun || s.action === 'open-ticket')) return null;
  const budgets: Partial<Record<PlaybookName, { what: string; limit: number }>> = {
    'contain-pod': { what: 'pods', limit: limits.maxPodsPerHour },
    'contain-node': { what: 'nodes', limit: limits.maxNodesPerHour },
  };
  const budget = plan.playbook ? budgets[plan.playbook] : undefined;
  if (!budget) return null;
  return {
    scope: `${plan.finding.account}:${plan.finding.region}:${cluster}:${budget.what}`,
    ...budget,
  };
}

export function hourWindow(at: Date): number {
  return Math.floor(at.getTime() / 1000 / HOUR_SECONDS);
}

/**
 * The plan when the budget is spent: a ticket only, every containment step skipped with the
 * reason, flagged so triage pages (a burst beyond the cap is itself an incident).
 */
export function cappedPlan(plan: Plan, what: string, limit: number): Plan {
  const reason = `blast-radius cap: ${limit} ${what} of cluster ${plan.finding.cluster} already contained this hour; stopped and paged on-call`;
  return {
    ...plan,
    playbook: 'ticket-only',
    steps: plan.steps.filter((s) => s.action === 'open-ticket'),
    skipped: [
      ...plan.steps
        .filter((s) => s.action !== 'open-ticket')
        .map((s) => ({ action: s.action, reason })),
      ...plan.skipped,
    ],
    reason,
  };
}

/** In-process ledger (local runs, tests). */
export class MemoryCapacityLedger implements CapacityLedger {
  private readonly admitted = new Map<string, Set<string>>();

  async admit(scope: string, incidentKey: string, limit: number, window: number): Promise<boolean> {
    const key = `${scope}#${window}`;
    let keys = this.admitted.get(key);
    if (!keys) {
      keys = new Set();
      this.admitted.set(key, keys);
    }
    if (keys.has(incidentKey)) return true;
    if (keys.size >= limit) return false;
    keys.add(incidentKey);
    return true;
  }
}
