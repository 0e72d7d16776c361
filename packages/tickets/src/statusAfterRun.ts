import type { IncidentStatus } from '@tourniquet/core';

/**
 * Where a finished playbook run leaves the incident. Containment in force means contained; an
 * expired approval means a human must look (escalated); a release that was approved releases.
 * Anything else keeps the status — except that a settled approval stops "awaiting".
 */
export function statusAfterRun(
  current: IncidentStatus,
  inForce: readonly string[],
  run: { playbook: string; approvalStatus: string; dryRun: boolean },
): { status: IncidentStatus; reason: string } {
  if (run.dryRun) return { status: current, reason: 'dry run' };
  if (run.playbook === 'release') {
    return run.approvalStatus === 'approved'
      ? { status: 'released', reason: 'release approved: containment undone' }
      : { status: current, reason: `release ${run.approvalStatus}` };
  }
  if (run.approvalStatus === 'timed-out') {
    return { status: 'escalated', reason: 'approval expired: denied by default' };
  }
  if (inForce.length > 0) {
    return { status: 'contained', reason: `${run.playbook}: ${inForce.join(', ')} in force` };
  }
  if (current === 'awaiting-approval') {
    return {
      status: 'open',
      reason: `${run.playbook}: approval ${run.approvalStatus}, nothing in force`,
    };
  }
  return { status: current, reason: `${run.playbook} finished` };
}
