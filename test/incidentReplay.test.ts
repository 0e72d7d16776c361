import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentRecord } from '@tourniquet/aws';
import { FileIncidentStore, incidentsCommand } from '@tourniquet/cli';
import {
  createPlanner,
  functionArnsFor,
  type Plan,
  parseConfig,
  playbookDefinition,
  releasableFromJournal,
  releaseInput,
  triage,
} from '@tourniquet/core';
import {
  approveAll,
  LOCAL_CREDENTIALS,
  LocalPlaybookStarter,
  type LocalTicketing,
  LocalWorld,
  runPlaybookLocally,
  startLocalTicketing,
} from '@tourniquet/testkit';
import { renderIncidentReport } from '@tourniquet/tickets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, REPO_ROOT } from './helpers/events';

const functions = functionArnsFor('tourniquet');
const baseConfig = parseConfig(
  JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
);

/**
 * A full local replay of a pod finding with the real ticket desk: triage (recording starter) →
 * the contain-pod playbook under aws-local-stepfunctions against moto and the Kubernetes
 * simulator → approval (recorded) → tickets in the Jira, PagerDuty and ServiceNow simulators and
 * Security Hub (moto) → a repeat finding → release from the undo data the store kept.
 */
describe('Incident of a full replay (local playbook runner + ticket desk + incident file)', () => {
  let world: LocalWorld;
  let ticketing: LocalTicketing;
  let store: FileIncidentStore;
  let plan: Plan;
  let starter: LocalPlaybookStarter;
  const file = join(mkdtempSync(join(tmpdir(), 'tq-replay-')), 'incidents.json');

  beforeAll(async () => {
    world = await LocalWorld.start({ config: baseConfig });
    store = await FileIncidentStore.open(file, { reset: true });
    ticketing = await startLocalTicketing({
      sinks: ['jira', 'pagerduty', 'servicenow', 'securityhub'],
      store,
      aws: { endpoint: world.moto.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
    });
    starter = new LocalPlaybookStarter({
      runtime: world.runtime(),
      functions,
      approver: ticketing.recordApprovals(approveAll),
      desk: ticketing.desk,
    });
  });
  afterAll(async () => {
    await ticketing?.stop();
    await world?.stop();
  });

  const planner = () => createPlanner(world.config);
  const event = (f: string) => world.seeded.translate(loadEvent(f));
  const at = new Date('2026-11-23T12:00:00Z');
  const record = async () => (await store.get(plan.incidentKey)) as IncidentRecord;

  it('contains the pod and leaves one ticket per sink', async () => {
    const result = await triage(
      event('guardduty/runtime-reverse-shell-payments.json'),
      planner(),
      ticketing.recordIncidents(starter),
      at,
    );
    plan = result.plan;
    const execution = await starter.execution(result.execution?.executionName as string);
    expect(execution.status).toBe('SUCCEEDED');
    const { incident } = await record();
    expect(incident.status).toBe('contained');
    expect(ticketing.simulators.jira?.issues.size).toBe(1);
    expect(ticketing.simulators.servicenow?.incidents.size).toBe(1);
    expect(ticketing.simulators.pagerduty?.incidents).toHaveLength(1);
    expect(execution.output?.ticket).toEqual({ ticketId: 'SEC-1', created: true, dryRun: false });
  });

  it('a repeat of the finding joins the running incident and becomes a comment, not a ticket', async () => {
    const repeat = await triage(
      event('guardduty/runtime-reverse-shell-payments-repeat.json'),
      planner(),
      ticketing.recordIncidents(starter),
      at,
    );
    expect(repeat.execution?.status).toBe('duplicate');
    const issue = ticketing.simulators.jira?.issues.get('SEC-1');
    expect(ticketing.simulators.jira?.issues.size).toBe(1);
    expect(JSON.stringify(issue?.comments.at(-1)?.body)).toContain('seen again: count 4');
    const { incident } = await record();
    expect(Object.values(incident.findings)).toEqual([
      expect.objectContaining({ type: 'Execution:Runtime/ReverseShell', count: 4, deliveries: 2 }),
    ]);
  });

  it('the audit trail is complete and in order', async () => {
    const { audit, actions, incident } = await record();
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    const first = (type: string, match: (d: any) => boolean = () => true) =>
      audit.findIndex((e) => e.type === type && match(e.data));
    const milestones = [
      first('opened'),
      first('finding-seen'),
      first('execution-started'),
      // The ticket opens before anything runs; the run's outcome is its first comment.
      first('ticket-opened', (d) => d.sink === 'jira'),
      first('approval-requested'),
      first('approval-decided'),
      first('actions-recorded'),
      first('ticket-posted', (d) => d.sink === 'jira' && d.operation === 'comment'),
      audit.findLastIndex((e) => e.type === 'finding-seen'),
      first('execution-joined'),
    ];
    expect(milestones.every((i) => i >= 0)).toBe(true);
    expect(milestones).toEqual([...milestones].sort((a, b) => a - b));
    expect(audit.map((e) => e.summary)).toEqual(
      expect.arrayContaining([
        'approval for cordon-node, revoke-role-sessions approved by local:approve-all',
        'status open → awaiting-approval: contain-pod: approval requested',
      ]),
    );
    // Every step that ran is recorded with its outcome and, where apply saved one, its undo data.
    // The pod is isolated, so the conditional escalation (isolate-node) does not run.
    const ran = plan.steps
      .filter((s) => s.action !== 'open-ticket' && !s.onlyIf)
      .map((s) => s.action);
    expect(actions.map((a) => a.action).sort()).toEqual([...ran].sort());
    expect(actions.every((a) => a.status === 'applied')).toBe(true);
    expect(actions.find((a) => a.action === 'isolate-pod')?.undo).toBeTruthy();
    expect(incident.approvals).toEqual([
      expect.objectContaining({
        decision: 'approved',
        by: 'local:approve-all',
        actions: ['cordon-node', 'revoke-role-sessions'],
      }),
    ]);
    for (const sink of ['jira', 'pagerduty', 'servicenow', 'securityhub']) {
      expect(
        audit.filter((e) => e.type === 'ticket-opened' && (e.data as any).sink === sink),
      ).toHaveLength(1);
    }
  });

  it('the report names every action with its outcome, the evidence ids, approvals and tickets', async () => {
    const r = await record();
    const report = renderIncidentReport(r);
    for (const step of plan.steps.filter((s) => s.action !== 'open-ticket' && !s.onlyIf)) {
      expect(report).toMatch(
        new RegExp(`\\| contain-pod \\| ${step.action} \\| [^|]+ \\| applied \\|`),
      );
    }
    const snapshots = Object.values(
      (r.actions.find((a) => a.action === 'capture-evidence')?.data?.snapshots ?? {}) as Record<
        string,
        string
      >,
    );
    expect(snapshots.length).toBeGreaterThan(0);
    for (const snap of snapshots) expect(report).toContain(snap);
    expect(report).toContain('| approved | local:approve-all |');
    expect(report).toContain('[SEC-1](');
    expect(report).toContain('**contained**');
    // The same report went to the tickets.
    const attached = ticketing.simulators.jira?.issues.get('SEC-1')?.attachments[0];
    expect(attached?.filename).toBe(`${r.incident.id}-report.md`);
    expect(attached?.content).toContain('| isolate-pod |');
  });

  it('release, from the step journal, restores the pod and resolves every ticket', async () => {
    const { incident } = await record();
    const applied = releasableFromJournal(await world.journal.list(plan.incidentKey));
    const { raw: _raw, ...finding } = plan.finding;
    const released = await runPlaybookLocally(
      playbookDefinition('release', functions),
      releaseInput(plan.incidentKey, finding, applied),
      {
        runtime: world.runtime(),
        functions,
        approver: ticketing.recordApprovals(approveAll),
        desk: ticketing.desk,
      },
    );
    expect(released.status).toBe('SUCCEEDED');
    const after = await record();
    expect(after.incident).toMatchObject({ status: 'released', inForce: [] });
    expect(ticketing.simulators.jira?.issues.get('SEC-1')?.status.name).toBe('Done');
    expect(ticketing.simulators.pagerduty?.alerts.get(plan.incidentKey)?.status).toBe('resolved');
    expect([...(ticketing.simulators.servicenow?.incidents.values() ?? [])][0]?.state).toBe('6');
    expect(
      after.actions
        .filter((a) => a.mode === 'undo')
        .map((a) => a.action)
        .sort(),
    ).toEqual(applied.map((a) => a.action).sort());
    expect(incident.id).toBe(after.incident.id);
  });

  describe('CLI: tourniquet incidents (reads the incident file the run wrote)', () => {
    async function run(args: string[]) {
      let stdout = '';
      let stderr = '';
      const code = await incidentsCommand([...args, '--store', file], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        cwd: REPO_ROOT,
      });
      return { code, stdout, stderr };
    }

    it('list: one line per incident; --json: one object per line', async () => {
      const text = await run(['list']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^ID\s+STATUS\s+SEVERITY/);
      expect(text.stdout).toMatch(/tq-[0-9a-f]{16}\s+released\s+HIGH\s+contain-pod/);
      const json = await run(['list', '--json', '--status', 'released']);
      const [line] = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(line).toMatchObject({
        key: plan.incidentKey,
        status: 'released',
        playbook: 'contain-pod',
      });
      expect(line.tickets).toEqual(
        expect.arrayContaining([{ sink: 'jira', ticketId: 'SEC-1', state: 'resolved' }]),
      );
      expect((await run(['list', '--status', 'open'])).stdout).toBe('no incidents\n');
    });

    it('show KEY|ID prints the report; --json the record; an unknown key exits 2', async () => {
      const { incident } = await record();
      const byId = await run(['show', incident.id]);
      expect(byId.code).toBe(0);
      expect(byId.stdout).toBe(renderIncidentReport(await record()));
      const json = await run(['show', plan.incidentKey, '--json']);
      expect(JSON.parse(json.stdout).incident.key).toBe(plan.incidentKey);
      expect(await run(['show', 'tq-0000000000000000'])).toMatchObject({
        code: 2,
        stderr: 'tourniquet incidents: no incident tq-0000000000000000\n',
      });
      await expect(run(['frobnicate'])).rejects.toMatchObject({ name: 'UsageError' });
    });
  });
});
