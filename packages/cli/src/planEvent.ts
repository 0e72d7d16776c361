import {
  EventValidationError,
  type Finding,
  normaliseEvent,
  type Plan,
  type Planner,
  UnrecognisedEventError,
} from '@tourniquet/core';

/** The `plan --json` line for one event (the CLI's stable output contract). */
export interface PlanRecord {
  file: string;
  eventId: string | null;
  finding: FindingSummary;
  incidentKey: string;
  playbook: Plan['playbook'];
  steps: Array<{ action: string; target: string; approval: 'auto' | 'required'; dryRun: boolean }>;
  skipped: Plan['skipped'];
  reason: string;
}

export interface FindingSummary {
  origin: Finding['origin'];
  type: string;
  severity: Finding['severity'];
  account: string;
  region: string;
  cluster: string | null;
  pod: { namespace: string; name: string } | null;
  node: { instanceId: string } | null;
  role: { arn: string } | null;
  resource: { type: string; id: string } | null;
}

export type PlanOutcome =
  | { ok: true; record: PlanRecord; plan: Plan }
  | { ok: false; error: string };

/** Normalise + plan one event; input problems become an error string, never an exception. */
export function planEvent(planner: Planner, source: string, event: unknown): PlanOutcome {
  let finding: Finding;
  try {
    finding = normaliseEvent(event);
  } catch (error) {
    if (error instanceof EventValidationError || error instanceof UnrecognisedEventError) {
      return { ok: false, error: error.message };
    }
    throw error;
  }
  const plan = planner.plan(finding);
  return { ok: true, plan, record: toRecord(source, plan) };
}

export function toRecord(file: string, plan: Plan): PlanRecord {
  const f = plan.finding;
  return {
    file,
    eventId: f.eventId,
    finding: summarise(f),
    incidentKey: plan.incidentKey,
    playbook: plan.playbook,
    steps: plan.steps.map(({ action, target, approval, dryRun }) => ({
      action,
      target,
      approval,
      dryRun,
    })),
    skipped: plan.skipped,
    reason: plan.reason,
  };
}

function summarise(f: Finding): FindingSummary {
  return {
    origin: f.origin,
    type: f.type,
    severity: f.severity,
    account: f.account,
    region: f.region,
    cluster: f.cluster,
    pod: f.pod ? { namespace: f.pod.namespace, name: f.pod.name } : null,
    node: f.node ? { instanceId: f.node.instanceId } : null,
    role: f.role ? { arn: f.role.arn } : null,
    resource: f.resource,
  };
}
