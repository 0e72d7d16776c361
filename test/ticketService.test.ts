import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import {
  DynamoIncidentStore,
  ensureIncidentTable,
  type IncidentRecord,
  updateIncident,
} from '@tourniquet/aws';
import {
  createPlanner,
  normaliseEvent,
  type Plan,
  parseConfig,
  playbookInput,
  type TicketRequest,
} from '@tourniquet/core';
import { type LocalTicketing, startLocalTicketing } from '@tourniquet/testkit';
import { TicketService } from '@tourniquet/tickets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, REPO_ROOT } from './helpers/events';
import { useMoto } from './helpers/moto';

const planner = createPlanner(
  parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'))),
);
const TABLE = 'tourniquet-incidents';

function planFor(file: string, pod?: string): Plan {
  const event = loadEvent(file);
  if (pod) event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name = pod;
  return planner.plan(normaliseEvent(event));
}

const applied = (action: string, detail: string, undo: unknown = { saved: action }) => ({
  action,
  status: 'applied',
  target: `pod/payments/${action}`,
  detail,
  changes: [detail],
  undo,
});

/** The "Open ticket" Task's input, as the playbook builds it from the execution state. */
function ticketRequest(
  plan: Plan,
  results: Record<string, unknown>,
  extra: Partial<TicketRequest> = {},
): TicketRequest {
  const input = playbookInput(plan);
  return {
    incidentKey: input.incidentKey,
    playbook: input.playbook,
    reason: input.reason,
    finding: input.finding,
    steps: input.steps,
    skipped: input.skipped,
    results,
    approvalStatus: 'approved',
    dryRun: false,
    ...extra,
  };
}

const contained = {
  labelPod: applied('label-pod', 'labelled tourniquet.io/incident'),
  isolatePod: applied('isolate-pod', 'isolated by security-group + network-policy'),
  cordonNode: applied('cordon-node', 'cordoned node ip-10-0-12-34'),
};

/**
 * The ticket service (the open-ticket and escalate Lambdas' code) over the DynamoDB store in moto
 * and every sink: Jira, PagerDuty and ServiceNow simulators, Security Hub in moto.
 */
describe('Ticket service: one ticket per incident in every sink', () => {
  const moto = useMoto();
  let store: DynamoIncidentStore;
  let ticketing: LocalTicketing;
  let securityHub: SecurityHubClient;
  const service = (options: { now?: () => Date } = {}) =>
    new TicketService({ store, sinks: ticketing.service.sinks, actor: 'open-ticket', ...options });

  beforeAll(async () => {
    const aws = moto();
    const dynamo = new DynamoDBClient(aws);
    await ensureIncidentTable(dynamo, TABLE);
    store = new DynamoIncidentStore({ client: dynamo, tableName: TABLE });
    ticketing = await startLocalTicketing({
      sinks: ['jira', 'pagerduty', 'servicenow', 'securityhub'],
      store,
      aws: { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials },
    });
    securityHub = new SecurityHubClient(aws);
  });
  afterAll(() => ticketing?.stop());

  const jira = () => ticketing.simulators.jira as NonNullable<LocalTicketing['simulators']['jira']>;
  const pd = () =>
    ticketing.simulators.pagerduty as NonNullable<LocalTicketing['simulators']['pagerduty']>;
  const sn = () =>
    ticketing.simulators.servicenow as NonNullable<LocalTicketing['simulators']['servicenow']>;
  const issuesFor = (id: string) =>
    [...jira().issues.values()].filter((i) => i.labels.includes(id));
  const snFor = (id: string) => [...sn().incidents.values()].filter((r) => r.correlation_id === id);
  async function hubFindings(id: string) {
    const { Findings = [] } = await securityHub.send(
      new GetFindingsCommand({
        Filters: { Id: [{ Value: `tourniquet/${id}`, Comparison: 'EQUALS' }] },
      }),
    );
    // moto ignores the Id filter: match here.
    return Findings.filter((f) => f.Id === `tourniquet/${id}`);
  }
  const record = async (key: string) => (await store.get(key)) as IncidentRecord;

  it('two ticket steps racing on one incident: one ticket per sink; a loser retries into an update', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'race-pod');
    const request = ticketRequest(plan, contained);
    const racing = await Promise.allSettled([
      service().openTicket(request),
      service().openTicket(request),
    ]);
    // Each sink is claimed by one of them; the other finds the creation in progress and fails
    // transiently, which the playbook retries.
    for (const r of racing) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'TransientActionError' });
    }
    for (const [i, r] of racing.entries()) {
      if (r.status === 'rejected')
        racing[i] = { status: 'fulfilled', value: await service().openTicket(request) };
    }
    const results = racing.map(
      (r) => (r as PromiseFulfilledResult<{ ticketId: string; created: boolean }>).value,
    );
    expect(results[0]?.ticketId).toBe(results[1]?.ticketId);
    expect((await service().openTicket(request)).created).toBe(true); // the run opened it, however retried

    const { incident } = await record(plan.incidentKey);
    expect(issuesFor(incident.id)).toHaveLength(1);
    expect(snFor(incident.id)).toHaveLength(1);
    expect(pd().incidents.filter((i) => i.dedupKey === plan.incidentKey)).toHaveLength(1);
    expect(await hubFindings(incident.id)).toHaveLength(1);
    expect(Object.keys(incident.tickets).sort()).toEqual([
      'jira',
      'pagerduty',
      'securityhub',
      'servicenow',
    ]);
    expect(Object.values(incident.tickets).every((t) => t.state === 'open')).toBe(true);
    // The run was recorded once, however many times the step ran.
    expect((await record(plan.incidentKey)).actions).toHaveLength(3);
    expect(incident.status).toBe('contained');
    expect(results[0]?.ticketId).toBe(issuesFor(incident.id)[0]?.key);
  });

  it('a repeated ticket step posts nothing twice; a later run adds a comment, never a second ticket', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'repeat-pod');
    const first = await service().openTicket(ticketRequest(plan, contained));
    expect(first.created).toBe(true);
    const [issue] = issuesFor((await record(plan.incidentKey)).incident.id);
    const comments = () => issue?.comments.length ?? 0;
    expect(comments()).toBe(0);
    await service().openTicket(ticketRequest(plan, contained));
    expect(comments()).toBe(0);

    const later = {
      labelPod: {
        ...contained.labelPod,
        status: 'skipped',
        detail: 'already labelled',
        undo: null,
      },
    };
    const second = await service().openTicket(
      ticketRequest(plan, later, { approvalStatus: 'not-needed' }),
    );
    expect(second).toEqual({ ticketId: issue?.key, created: false, dryRun: false });
    expect(comments()).toBe(1);
    expect(JSON.stringify(issue?.comments[0]?.body)).toContain(
      'label-pod: skipped — already labelled',
    );
    const { incident } = await record(plan.incidentKey);
    expect(issuesFor(incident.id)).toHaveLength(1);
    expect(snFor(incident.id)[0]?.work_notes_journal).toHaveLength(2); // the update + "in progress"
    expect(pd().incidents.filter((i) => i.dedupKey === plan.incidentKey)).toHaveLength(1);
    expect(
      pd()
        .alerts.get(plan.incidentKey)
        ?.events.map((e) => e.action),
    ).toEqual(['trigger', 'acknowledge', 'trigger']);
    // Containment still in force: a later "already done" run does not un-contain.
    expect(incident).toMatchObject({
      status: 'contained',
      inForce: ['label-pod', 'isolate-pod', 'cordon-node'],
    });
  });

  it('release resolves every ticket: Jira done, PagerDuty resolved, ServiceNow state 6, Security Hub closed', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'release-pod');
    await service().openTicket(ticketRequest(plan, contained));
    const undone = {
      cordonNode: { ...contained.cordonNode, detail: 'uncordoned', undo: null },
      isolatePod: { ...contained.isolatePod, detail: 'restored security groups', undo: null },
      labelPod: { ...contained.labelPod, detail: 'removed labels', undo: null },
    };
    await service().openTicket({
      ...ticketRequest(plan, undone),
      playbook: 'release',
      reason: 'release the quarantine',
    });
    const { incident, audit } = await record(plan.incidentKey);
    expect(incident).toMatchObject({ status: 'released', inForce: [] });
    expect(issuesFor(incident.id)[0]?.status.statusCategory.key).toBe('done');
    expect(pd().alerts.get(plan.incidentKey)?.status).toBe('resolved');
    expect(snFor(incident.id)[0]).toMatchObject({ state: '6', close_code: 'Solved (Permanently)' });
    expect((await hubFindings(incident.id))[0]?.RecordState).toBe('ARCHIVED');
    expect(Object.values(incident.tickets).every((t) => t.state === 'resolved')).toBe(true);
    expect(
      audit.filter((e) => e.type === 'ticket-posted' && (e.data as any).operation === 'resolve'),
    ).toHaveLength(4);
    // Security Hub's workflow could not move in moto: recorded, not lost.
    expect(audit.map((e) => e.summary)).toContainEqual(
      expect.stringMatching(/^securityhub: BatchUpdateFindings not available \(workflow RESOLVED/),
    );
  });

  it('a sink that is down fails the step (transient) and the incident records it; on recovery the ticket is created once', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'outage-pod');
    const request = ticketRequest(plan, contained);
    jira().outage();
    await expect(service().openTicket(request)).rejects.toMatchObject({
      name: 'TransientActionError',
      message: expect.stringContaining('jira open: HTTP 503'),
    });
    let { incident, audit } = await record(plan.incidentKey);
    expect(incident.tickets.jira).toMatchObject({ state: 'failed', failures: 1, ticketId: null });
    expect(incident.tickets.jira?.lastError).toContain('HTTP 503');
    expect(audit.find((e) => e.type === 'ticket-failed')?.data).toMatchObject({
      sink: 'jira',
      operation: 'open',
      retryable: true,
    });
    expect(incident.tickets.servicenow?.state).toBe('open');

    // The playbook retries while Jira is still down, then after it recovers.
    await expect(service().openTicket(request)).rejects.toMatchObject({
      name: 'TransientActionError',
    });
    jira().restore();
    const result = await service().openTicket(request);
    expect(result.created).toBe(true);
    ({ incident, audit } = await record(plan.incidentKey));
    expect(issuesFor(incident.id)).toHaveLength(1);
    expect(incident.tickets.jira).toMatchObject({ state: 'open', failures: 2, lastError: null });
    // The retry looked for a ticket from the failed attempts before creating one.
    expect(
      audit.filter((e) => e.type === 'ticket-failed').map((e) => (e.data as any).operation),
    ).toEqual(['open', 'find']);
    // The sinks that worked the first time were not touched again.
    expect(snFor(incident.id)).toHaveLength(1);
    expect(snFor(incident.id)[0]?.work_notes_journal).toHaveLength(1);
    expect(
      pd()
        .alerts.get(plan.incidentKey)
        ?.events.map((e) => e.action),
    ).toEqual(['trigger', 'acknowledge']);
  });

  it('an abandoned creation claim expires; the next invocation adopts the ticket it left instead of opening another', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'crash-pod');
    const request = ticketRequest(plan, contained);
    // An invocation opened the incident, claimed the Jira ticket, created it, then died.
    await service().openTicket({ ...request, dryRun: true });
    const jiraOnly = ticketing.service.sinks.find((s) => s.name === 'jira');
    const head = await updateIncident(
      store,
      plan.incidentKey,
      () => [{ type: 'ticket-claimed', sink: 'jira', claimId: 'dead' }],
      {
        actor: 'open-ticket',
      },
    );
    const { ticketSubject } = await import('@tourniquet/tickets');
    await jiraOnly?.open(ticketSubject(head as never), {
      summary: 'created by the dead invocation',
      report: '',
    });

    const blocked = service().openTicket(request);
    await expect(blocked).rejects.toMatchObject({
      name: 'TransientActionError',
      message: expect.stringContaining('another invocation is creating the ticket'),
    });
    const later = service({ now: () => new Date(Date.now() + 10 * 60_000) });
    const result = await later.openTicket(request);
    const { incident, audit } = await record(plan.incidentKey);
    expect(issuesFor(incident.id)).toHaveLength(1);
    // Opened by this step (its earlier, dead attempt), so the step reports it as created.
    expect(result).toMatchObject({ ticketId: issuesFor(incident.id)[0]?.key, created: true });
    expect(audit.map((e) => e.summary)).toContain(
      `jira: found ticket ${result.ticketId} from an earlier attempt`,
    );
  });

  it('the opening ticket (phase start) creates the ticket with the plan, records no run, and the closing update comments on it', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'start-pod');
    const tickets = service();
    const opened = await tickets.openTicket(
      ticketRequest(plan, {}, { phase: 'start', approvalStatus: 'not-needed' }),
    );
    const atStart = await record(plan.incidentKey);
    expect(opened).toMatchObject({
      created: true,
      ticketId: issuesFor(atStart.incident.id)[0]?.key,
    });
    expect(atStart.incident.status).toBe('open');
    expect(atStart.incident.runs).toEqual([]);
    // A new ticket carries the incident's summary; nothing is reported as run yet.
    expect(JSON.stringify(issuesFor(atStart.incident.id)[0]?.comments)).not.toContain(
      'run finished',
    );
    const closed = await tickets.openTicket(ticketRequest(plan, contained));
    expect(closed).toEqual({ ticketId: opened.ticketId, created: false, dryRun: false });
    const atEnd = await record(plan.incidentKey);
    expect(issuesFor(atEnd.incident.id)).toHaveLength(1);
    expect(JSON.stringify(issuesFor(atEnd.incident.id)[0]?.comments)).toContain(
      'contain-pod run finished',
    );
    expect(atEnd.incident.status).toBe('contained');
  });

  it('one escalation names every failed step on the tickets and the incident', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'failures-pod');
    const input = playbookInput(plan);
    const escalate = new TicketService({
      store,
      sinks: ticketing.service.sinks,
      actor: 'escalate',
    });
    await escalate.escalate({
      reason: 'step-failed',
      incidentKey: plan.incidentKey,
      playbook: input.playbook,
      failures: {
        captureEvidence: { Error: 'PermanentActionError', Cause: 'UnauthorizedOperation' },
        revokeRoleSessions: { Error: 'Lambda.Unknown', Cause: 'out of memory' },
      },
      finding: input.finding,
      results: { isolatePod: contained.isolatePod },
    });
    const { incident } = await record(plan.incidentKey);
    expect(incident.escalations).toEqual([
      expect.objectContaining({
        reason: 'step-failed',
        error: 'PermanentActionError, Lambda.Unknown',
        cause: expect.stringMatching(/^capture-evidence: .*; revoke-role-sessions: /),
      }),
    ]);
    const comments = JSON.stringify(issuesFor(incident.id)[0]?.comments);
    expect(comments).toContain(
      '2 steps of contain-pod failed: capture-evidence, revoke-role-sessions.',
    );
  });

  it('escalation pages PagerDuty (critical) and says on every ticket what failed; a retry pages once', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'escalate-pod');
    const input = playbookInput(plan);
    const request = {
      reason: 'step-failed' as const,
      incidentKey: plan.incidentKey,
      playbook: input.playbook,
      failure: {
        Error: 'PermanentActionError',
        Cause: 'capture-evidence apply: UnauthorizedOperation',
      },
      finding: input.finding,
      results: { labelPod: contained.labelPod, isolatePod: contained.isolatePod },
    };
    const escalate = new TicketService({
      store,
      sinks: ticketing.service.sinks,
      actor: 'escalate',
    });
    const result = await escalate.escalate(request);
    await escalate.escalate(request);
    const { incident, audit } = await record(plan.incidentKey);
    expect(result).toEqual({ paged: true, ticketId: issuesFor(incident.id)[0]?.key });
    expect(incident).toMatchObject({ status: 'escalated', inForce: ['label-pod', 'isolate-pod'] });
    expect(incident.escalations).toEqual([
      expect.objectContaining({ reason: 'step-failed', error: 'PermanentActionError' }),
    ]);
    const alert = pd().alerts.get(plan.incidentKey);
    expect(alert?.events.map((e) => e.action)).toEqual(['trigger', 'trigger']);
    expect(
      (
        pd()
          .requests.filter((r) => (r.body as any)?.dedup_key === plan.incidentKey)
          .at(-1)?.body as any
      )?.payload.severity,
    ).toBe('critical');
    expect(JSON.stringify(issuesFor(incident.id)[0]?.comments)).toContain('UnauthorizedOperation');
    expect(snFor(incident.id)[0]).toMatchObject({ urgency: '1', impact: '1' });
    expect(audit.filter((e) => e.type === 'escalated')).toHaveLength(1);
  });

  it.each([
    ['at plan time (protected namespace)', 'guardduty/runtime-reverse-shell-kube-system.json', {}],
    [
      'at run time (namespace labelled tourniquet.io/protect=true)',
      'guardduty/runtime-reverse-shell-payments.json',
      {
        isolatePod: {
          action: 'isolate-pod',
          status: 'skipped',
          target: 'pod/payments/protected-pod',
          detail: 'namespace payments is labelled tourniquet.io/protect=true',
          changes: [],
          undo: null,
          protected: true,
        },
      },
    ],
  ])('a target skipped as protected %s pages on-call', async (_, file, results) => {
    const plan = planFor(file, file.includes('payments') ? 'protected-pod' : undefined);
    const result = await service().openTicket(ticketRequest(plan, results));
    const page = pd()
      .requests.filter((r) => (r.body as any)?.dedup_key === plan.incidentKey)
      .at(-1)?.body as any;
    expect(page?.payload.severity).toBe('critical');
    expect(page?.payload.summary).toMatch(
      /ESCALATED: .*containment was withheld from a protected target/,
    );
    const { incident } = await record(plan.incidentKey);
    expect(result.ticketId).toBe(issuesFor(incident.id)[0]?.key);
    expect(
      pd()
        .alerts.get(plan.incidentKey)
        ?.events.map((e) => e.action),
    ).not.toContain('acknowledge');
  });

  it('a dry run records the outcomes and opens no ticket', async () => {
    const plan = planFor('guardduty/runtime-reverse-shell-payments.json', 'dry-pod');
    const result = await service().openTicket(ticketRequest(plan, contained, { dryRun: true }));
    expect(result).toEqual({ ticketId: 'dry-run', created: false, dryRun: true });
    const { incident, audit } = await record(plan.incidentKey);
    expect(issuesFor(incident.id)).toEqual([]);
    expect(incident.tickets).toEqual({});
    expect(audit.map((e) => e.type)).toEqual([
      'opened',
      'finding-seen',
      'actions-recorded',
      'ticket-skipped',
    ]);
  });

  it('refuses a request that is not a TicketRequest, naming the field', async () => {
    await expect(
      service().openTicket({ incidentKey: 'k', playbook: 'contain-pod' }),
    ).rejects.toMatchObject({
      name: 'InvalidTicketRequestError',
      message: expect.stringContaining('finding'),
    });
  });
});
