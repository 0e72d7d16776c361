import type { FindingSighting, IncidentRecord } from '@tourniquet/core';
import { conditionPageText, failedSteps, STEP_CONDITIONS, stepKey } from '@tourniquet/core';
import type { ParsedEscalationRequest, ParsedTicketRequest } from './ticketRequest';

/** The ticket's description: what happened, what is affected, what Tourniquet did. */
export function incidentSummary(record: IncidentRecord): string {
  const i = record.incident;
  const lines = [
    `Tourniquet incident ${i.id} — ${i.title}`,
    '',
    `Status: ${i.status}. Severity: ${i.severity}.`,
    `Affected: ${i.subject}${i.cluster ? ` in cluster ${i.cluster}` : ''} (account ${i.account}, ${i.region}).`,
    `Incident key: ${i.key}`,
    '',
    'Findings:',
    ...Object.values(i.findings).map(
      (f) => `- ${f.type} (${f.id}): ${f.severity}, count ${f.count}, last seen ${f.lastSeen}`,
    ),
  ];
  if (i.plan) lines.push('', `Plan: ${i.plan.playbook} — ${i.plan.reason}`);
  const latest = latestOutcomes(record);
  if (latest.length > 0) {
    lines.push('', 'Actions:', ...latest.map((a) => `- ${a.action}: ${a.status} — ${a.detail}`));
  }
  if (i.inForce.length > 0) lines.push('', `In force: ${i.inForce.join(', ')}.`);
  lines.push('', `The full report is attached as ${i.id}-report.md.`);
  return lines.join('\n');
}

/**
 * Steps skipped because an admin protected their target (config, AWS tag, namespace label), at
 * plan time or at run time: containment was withheld on purpose, so a human must look now.
 */
export function protectedSkips(request: ParsedTicketRequest): string[] {
  const planned = request.skipped
    .filter((s) => s.protected === true)
    .map((s) => `${s.action}: ${s.reason}`);
  const ran = Object.values(request.results ?? {})
    .filter((r) => r.protected === true)
    .map((r) => `${r.action}: ${r.detail}`);
  return [...planned, ...ran];
}

/** A playbook run as a ticket comment: every planned step with its outcome or why it did not run. */
export function runText(request: ParsedTicketRequest, status: string): string {
  const results = request.results ?? {};
  const refused = request.approvalStatus === 'denied' || request.approvalStatus === 'timed-out';
  const withheld = protectedSkips(request);
  const lines = [
    ...(withheld.length > 0
      ? [
          `Paging on-call: containment was withheld from a protected target (${withheld.join('; ')}).`,
        ]
      : []),
    `${request.playbook} run finished${request.dryRun ? ' (dry run)' : ''}; approval: ${request.approvalStatus}; status: ${status}.`,
    ...request.steps
      .filter((s) => s.action !== 'open-ticket')
      .map((step) => {
        const key = stepKey(step.action as never);
        const r = results[key];
        if (r) return `- ${step.action}: ${r.status} — ${r.detail}`;
        const failure = request.failures?.[key];
        if (failure)
          return `- ${step.action}: failed — ${failure.Error ?? 'Error'}: ${failure.Cause ?? 'no cause given'}`;
        if (step.approval === 'required' && refused)
          return `- ${step.action}: not run — approval ${request.approvalStatus}`;
        return `- ${step.action}: not run`;
      }),
  ];
  if (request.skipped.length > 0) {
    lines.push(
      'Left out by the plan:',
      ...request.skipped.map((s) => `- ${s.action}: ${s.reason}`),
    );
  }
  return lines.join('\n');
}

/** The run's start: the plan, before any step ran (the closing update says what each did). */
export function startText(request: ParsedTicketRequest): string {
  const steps = request.steps.filter((s) => s.action !== 'open-ticket');
  const needing = steps
    .filter((s) => s.approval === 'required' && !conditionOf(s))
    .map((s) => s.action);
  return [
    `${request.playbook} started${request.dryRun ? ' (dry run)' : ''}: ${request.reason}`,
    ...steps.map((s) => {
      const condition = conditionOf(s);
      const when = condition ? ` (${STEP_CONDITIONS[condition].text})` : '';
      return `- ${s.action} ${s.target}${when}${s.approval === 'required' ? ' (needs approval)' : ''}`;
    }),
    ...(needing.length > 0 ? [`Approval requested for ${needing.join(', ')}.`] : []),
  ].join('\n');
}

/** A step's run-time condition, when it names a known one. */
function conditionOf(step: Record<string, unknown>): keyof typeof STEP_CONDITIONS | null {
  const c = step.onlyIf;
  return typeof c === 'string' && Object.hasOwn(STEP_CONDITIONS, c)
    ? (c as keyof typeof STEP_CONDITIONS)
    : null;
}

/** Every failed step of an escalation, named like the plan's actions. */
export function escalationFailures(request: ParsedEscalationRequest) {
  return failedSteps(request.failures ?? (request.failure ? { step: request.failure } : {}));
}

export function escalationText(request: ParsedEscalationRequest): string {
  if (request.reason === 'approval-expired') {
    return `Approval for ${(request.actions ?? []).join(', ')} expired: denied by default. On-call paged to decide.`;
  }
  if (request.reason === 'pod-not-isolated') {
    return conditionPageText(request.reason, request.results, request.steps);
  }
  const failed = escalationFailures(request);
  const ran = Object.values(request.results ?? {}).map(
    (r) => `- ${r.action}: ${r.status} — ${r.detail}`,
  );
  return [
    `${failed.length === 1 ? 'A step' : `${failed.length} steps`} of ${request.playbook} failed: ${failed.map((f) => f.step).join(', ')}.`,
    ...failed.map((f) => `- ${f.step}: ${f.error}: ${f.cause}`),
    'Every other step ran as planned.',
    ...(ran.length > 0 ? ['Done:', ...ran] : []),
  ].join('\n');
}

export function repeatText(
  sighting: Omit<FindingSighting, 'deliveries'>,
  execution: string,
): string {
  return `Finding ${sighting.type} (${sighting.id}) seen again: count ${sighting.count}, last seen ${sighting.lastSeen}. It joined the running execution ${execution}.`;
}

/** The newest outcome per action (a later run's "already isolated" does not hide the apply). */
function latestOutcomes(record: IncidentRecord) {
  const byAction = new Map<string, (typeof record.actions)[number]>();
  for (const a of record.actions) {
    const known = byAction.get(a.action);
    if (!known || a.status === 'applied' || known.status !== 'applied') byAction.set(a.action, a);
  }
  return [...byAction.values()];
}
