import type { ExecutionRecord, IncidentHead } from './incidentRecord';

/**
 * How long a claim holds: the claimer starts the execution right after writing it (one
 * StartExecution), so a claim this old belongs to a triage that failed in between. Its event's
 * retry (Lambda's asynchronous retries come a minute or more later) or the next finding starts
 * the execution then.
 */
export const CLAIM_LEASE_SECONDS = 60;

/**
 * The execution a new finding on this incident joins instead of starting one, or null when it
 * starts one. Joined: the latest execution when it started less than `windowSeconds` ago and
 * has not recorded its end (the playbook's closing step records the run), or, before it
 * started, when another finding claimed it less than CLAIM_LEASE_SECONDS ago. A released or
 * resolved incident joins nothing: a new finding contains it again.
 */
export function executionToJoin(
  head: IncidentHead | null,
  options: { now: Date; eventId: string; windowSeconds: number },
): ExecutionRecord | null {
  if (!head || head.status === 'released' || head.status === 'resolved') return null;
  const latest = head.executions.at(-1);
  if (!latest) return null;
  const age = (options.now.getTime() - Date.parse(latest.at)) / 1000;
  if (latest.playbook) return !latest.endedAt && age < options.windowSeconds ? latest : null;
  return latest.claimedBy && latest.claimedBy !== options.eventId && age < CLAIM_LEASE_SECONDS
    ? latest
    : null;
}
