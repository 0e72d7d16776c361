import type { StepResult } from '@tourniquet/core';

/**
 * The outcomes of the steps that already ran (`results` of the playbook, keyed by step), reduced
 * to what the message shows. Anything that is not an outcome is ignored rather than trusted.
 */
export function stepResults(results: unknown): StepResult[] {
  if (typeof results !== 'object' || results === null) return [];
  const out: StepResult[] = [];
  for (const value of Object.values(results as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const { action, status, detail } = value as Record<string, unknown>;
    if (typeof action !== 'string' || typeof status !== 'string') continue;
    out.push({ action, status, detail: typeof detail === 'string' ? detail : '' });
  }
  return out;
}

export interface ContainmentFacts {
  /** isolate-pod or isolate-node applied. */
  isolated: boolean | null;
  /** capture-evidence applied. */
  evidence: boolean | null;
}

/** The two questions on-call asks first; null when the plan did not include the step. */
export function containmentFacts(results: readonly StepResult[]): ContainmentFacts {
  const outcome = (actions: string[]) => {
    const ran = results.filter((r) => actions.includes(r.action));
    if (ran.length === 0) return null;
    return ran.some((r) => r.status === 'applied');
  };
  return {
    isolated: outcome(['isolate-pod', 'isolate-node']),
    evidence: outcome(['capture-evidence']),
  };
}
