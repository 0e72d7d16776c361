import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import {
  JIRA_SIMULATOR_CREDENTIALS,
  type JiraSimulator,
  PAGERDUTY_SIMULATOR_ROUTING_KEY,
  type PagerDutySimulator,
  SERVICENOW_SIMULATOR_CREDENTIALS,
  type ServiceNowSimulator,
  startJiraSimulator,
  startPagerDutySimulator,
  startServiceNowSimulator,
} from '@tourniquet/simulators';
import {
  JiraSink,
  PagerDutySink,
  parseTicketSettings,
  SecurityHubSink,
  ServiceNowSink,
  type TicketSubject,
} from '@tourniquet/tickets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from './helpers/moto';

const subject: TicketSubject = {
  key: '111122223333:us-east-1:prod-eks-01:pod:payments/payments-api-7d9f8b6c5-x2kqp',
  id: 'tq-698290440fa57372',
  title:
    '[Tourniquet] HIGH Execution:Runtime/ReverseShell on pod payments/payments-api-7d9f8b6c5-x2kqp',
  severity: 'HIGH',
  status: 'open',
  account: '111122223333',
  region: 'us-east-1',
  cluster: 'prod-eks-01',
  subject: 'pod payments/payments-api-7d9f8b6c5-x2kqp',
  createdAt: '2026-11-23T12:00:00.000Z',
  sourceFindings: [
    {
      id: '54f87b568c7746d0e45fe8a567edbddb',
      type: 'Execution:Runtime/ReverseShell',
      securityHubId:
        'arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/54f87b568c7746d0e45fe8a567edbddb',
    },
  ],
};
const document = {
  summary: 'Reverse shell in payments-api.\n\n- isolate-pod: applied',
  report: '# Incident tq-698290440fa57372\n',
};
const update = { id: 'u-1', text: 'contain-pod run finished\n- cordon-node: applied — cordoned' };

function settings(sink: Record<string, unknown>) {
  return parseTicketSettings({ sinks: [sink] }).sinks[0] as never;
}

describe('Ticket sink: Jira Cloud (REST v3) against the Jira simulator', () => {
  let jira: JiraSimulator;
  let sink: JiraSink;
  beforeAll(async () => {
    jira = await startJiraSimulator();
    sink = new JiraSink(
      settings({ type: 'jira', baseUrl: jira.url, projectKey: 'SEC', credentialsSecret: 'jira' }),
      async () => JIRA_SIMULATOR_CREDENTIALS,
    );
  });
  afterAll(() => jira.stop());

  it('opens an issue labelled with the incident id, ADF description, report attached; finds it again', async () => {
    const { ref, notes } = await sink.open(subject, document);
    expect(notes).toEqual([]);
    expect(ref).toEqual({ id: 'SEC-1', apiId: 'SEC-1', url: `${jira.url}/browse/SEC-1` });
    const issue = jira.issues.get('SEC-1');
    expect(issue).toMatchObject({
      summary: subject.title,
      labels: ['tourniquet', subject.id],
      issueType: 'Task',
    });
    expect(issue?.description).toMatchObject({ type: 'doc', version: 1 });
    expect(issue?.attachments).toEqual([
      expect.objectContaining({ filename: `${subject.id}-report.md`, content: document.report }),
    ]);
    const create = jira.requests.find((r) => r.path === '/rest/api/3/issue');
    expect(create?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${JIRA_SIMULATOR_CREDENTIALS.email}:${JIRA_SIMULATOR_CREDENTIALS.apiToken}`).toString('base64')}`,
    );
    const upload = jira.requests.find((r) => r.path.endsWith('/attachments'));
    expect(upload?.headers['x-atlassian-token']).toBe('no-check');
    expect(await sink.find(subject)).toEqual(ref);
    expect(await sink.find({ ...subject, id: 'tq-0000000000000000' })).toBeNull();
  });

  it('comments, pages (a comment that says so) and resolves with a transition to done', async () => {
    const ref = (await sink.find(subject)) as NonNullable<Awaited<ReturnType<JiraSink['find']>>>;
    await sink.comment(ref, subject, update);
    await sink.page(ref, subject, update);
    expect(await sink.resolve(ref, subject, { id: 'u-2', text: 'released' }, document)).toEqual([]);
    const issue = jira.issues.get(ref.id);
    expect(issue?.comments).toHaveLength(3);
    expect(JSON.stringify(issue?.comments[1]?.body)).toContain('ESCALATED');
    expect(issue?.status.statusCategory.key).toBe('done');
    expect(issue?.attachments).toHaveLength(2);
  });

  it('bad credentials are permanent (401); an outage is transient (named for the playbook Retry)', async () => {
    const wrong = new JiraSink(
      settings({ type: 'jira', baseUrl: jira.url, projectKey: 'SEC', credentialsSecret: 'jira' }),
      async () => ({ email: 'x@example.com', apiToken: 'nope' }),
    );
    await expect(wrong.open(subject, document)).rejects.toMatchObject({
      name: 'PermanentTicketError',
      status: 401,
    });
    jira.outage({ requests: 1 });
    await expect(sink.open(subject, document)).rejects.toMatchObject({
      name: 'TransientActionError',
      message: expect.stringContaining('HTTP 503'),
    });
  });

  it('a sink nobody listens on is transient (connection refused)', async () => {
    const gone = new JiraSink(
      settings({
        type: 'jira',
        baseUrl: 'http://127.0.0.1:9',
        projectKey: 'SEC',
        credentialsSecret: 'jira',
      }),
      async () => JIRA_SIMULATOR_CREDENTIALS,
    );
    await expect(gone.open(subject, document)).rejects.toMatchObject({
      name: 'TransientActionError',
    });
  });
});

describe('Ticket sink: PagerDuty Events API v2 against the PagerDuty simulator', () => {
  let pd: PagerDutySimulator;
  let sink: PagerDutySink;
  beforeAll(async () => {
    pd = await startPagerDutySimulator();
    sink = new PagerDutySink(
      settings({ type: 'pagerduty', eventsUrl: `${pd.url}/v2/enqueue`, credentialsSecret: 'pd' }),
      async () => ({
        routingKey: PAGERDUTY_SIMULATOR_ROUTING_KEY,
      }),
    );
  });
  afterAll(() => pd.stop());

  it('triggers with dedup_key = the incident key; updates land on the same alert; acknowledge, resolve', async () => {
    const { ref } = await sink.open(subject, document);
    expect(ref.id).toBe(subject.key);
    await sink.comment(ref, subject, update, document);
    await sink.page(ref, subject, update, document);
    await sink.acknowledge(ref, subject);
    expect(pd.alerts.get(subject.key)?.status).toBe('acknowledged');
    await sink.resolve(ref, subject);
    expect(pd.incidents).toHaveLength(1);
    expect(pd.alerts.get(subject.key)).toMatchObject({ status: 'resolved', severity: 'error' });
    const trigger = pd.requests[0]?.body as Record<string, any>;
    expect(trigger).toMatchObject({
      routing_key: PAGERDUTY_SIMULATOR_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: subject.key,
      payload: {
        source: subject.subject,
        severity: 'error',
        custom_details: { incidentId: subject.id },
      },
    });
    expect((pd.requests[2]?.body as any)?.payload.severity).toBe('critical');
  });

  it('a wrong routing key is permanent (400 invalid event); throttling (429) is transient', async () => {
    const wrong = new PagerDutySink(
      settings({ type: 'pagerduty', eventsUrl: `${pd.url}/v2/enqueue`, credentialsSecret: 'pd' }),
      async () => ({
        routingKey: 'X'.repeat(32),
      }),
    );
    await expect(wrong.open(subject, document)).rejects.toMatchObject({
      name: 'PermanentTicketError',
      status: 400,
    });
    pd.outage({ status: 429, requests: 1 });
    await expect(sink.open(subject, document)).rejects.toMatchObject({
      name: 'TransientActionError',
    });
  });
});

describe('Ticket sink: ServiceNow Table API against the ServiceNow simulator', () => {
  let sn: ServiceNowSimulator;
  let sink: ServiceNowSink;
  beforeAll(async () => {
    sn = await startServiceNowSimulator();
    sink = new ServiceNowSink(
      settings({
        type: 'servicenow',
        instanceUrl: sn.url,
        credentialsSecret: 'sn',
        assignmentGroup: 'secops',
      }),
      async () => SERVICENOW_SIMULATOR_CREDENTIALS,
    );
  });
  afterAll(() => sn.stop());

  it('creates an incident correlated by the incident id, attaches the report, finds it again', async () => {
    const { ref } = await sink.open(subject, document);
    expect(ref.id).toBe('INC0010001');
    const record = sn.incidents.get(ref.apiId);
    expect(record).toMatchObject({
      correlation_id: subject.id,
      correlation_display: 'Tourniquet',
      impact: '1',
      urgency: '1',
      assignment_group: 'secops',
      state: '1',
    });
    expect(sn.attachments).toEqual([
      expect.objectContaining({
        table_sys_id: ref.apiId,
        file_name: `${subject.id}-report.md`,
        content: document.report,
      }),
    ]);
    expect(await sink.find(subject)).toEqual(ref);
  });

  it('updates are work notes; acknowledge moves it in progress; resolve sets state 6 with close code and notes', async () => {
    const ref = (await sink.find(subject)) as NonNullable<
      Awaited<ReturnType<ServiceNowSink['find']>>
    >;
    await sink.comment(ref, subject, update);
    await sink.acknowledge(ref);
    await sink.resolve(ref, subject, { id: 'u-2', text: 'released by on-call' }, document);
    const record = sn.incidents.get(ref.apiId);
    expect(record).toMatchObject({
      state: '6',
      close_code: 'Solved (Permanently)',
      close_notes: 'released by on-call',
    });
    expect(record?.work_notes_journal).toEqual([
      update.text,
      'Contained by Tourniquet; being worked.',
    ]);
  });

  it('bad credentials are permanent (401)', async () => {
    const wrong = new ServiceNowSink(
      settings({ type: 'servicenow', instanceUrl: sn.url, credentialsSecret: 'sn' }),
      async () => ({
        username: 'admin',
        password: 'admin',
      }),
    );
    await expect(wrong.open(subject, document)).rejects.toMatchObject({
      name: 'PermanentTicketError',
      status: 401,
    });
  });
});

describe('Ticket sink: AWS Security Hub against moto', () => {
  const moto = useMoto();
  let client: SecurityHubClient;
  let sink: SecurityHubSink;
  beforeAll(() => {
    client = new SecurityHubClient(moto());
    sink = new SecurityHubSink(settings({ type: 'securityhub' }), () => client, 'us-east-1');
  });

  async function ours() {
    const { Findings = [] } = await client.send(
      new GetFindingsCommand({
        Filters: { Id: [{ Value: `tourniquet/${subject.id}`, Comparison: 'EQUALS' }] },
      }),
    );
    return Findings;
  }

  it('imports the incident as a finding linked to the source finding; BatchUpdateFindings missing → a note', async () => {
    const { ref, notes } = await sink.open(subject, document);
    expect(ref.id).toBe(`tourniquet/${subject.id}`);
    expect(notes).toEqual([
      expect.stringMatching(/^BatchUpdateFindings not available \(workflow NOTIFIED .*HTTP 404/),
    ]);
    const [finding] = await ours();
    expect(finding).toMatchObject({
      ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
      AwsAccountId: '111122223333',
      Severity: { Label: 'HIGH' },
      Types: ['Unusual Behaviors/Container'],
      ProductFields: expect.objectContaining({ 'tourniquet/incidentKey': subject.key }),
      RecordState: 'ACTIVE',
    });
    expect(await sink.find(subject)).toEqual(ref);
  });

  it('updates re-import the finding; resolve archives it when the workflow cannot move', async () => {
    const ref = { id: `tourniquet/${subject.id}`, apiId: `tourniquet/${subject.id}`, url: null };
    await sink.comment(ref, subject, update);
    expect((await ours())[0]?.Description).toBe(update.text);
    await sink.page(ref, subject, update);
    expect((await ours())[0]?.Severity?.Label).toBe('CRITICAL');
    const notes = await sink.resolve(ref, subject, { id: 'u-2', text: 'released' });
    expect(notes).toEqual([
      expect.stringMatching(/^BatchUpdateFindings not available \(workflow RESOLVED/),
    ]);
    expect((await ours())[0]?.RecordState).toBe('ARCHIVED');
  });

  it("imports a member account's incident into the deployment's own account, naming the member's cluster", async () => {
    const hub = new SecurityHubSink(
      settings({ type: 'securityhub', account: '111122223333' }),
      () => client,
      'us-east-1',
    );
    const member = {
      ...subject,
      id: 'tq-0000member0001',
      key: '444455556666:us-east-1:prod-eks-01:cluster:prod-eks-01',
      account: '444455556666',
    };
    await hub.open(member, document);
    const { Findings = [] } = await client.send(
      new GetFindingsCommand({
        Filters: { Id: [{ Value: `tourniquet/${member.id}`, Comparison: 'EQUALS' }] },
      }),
    );
    const finding = Findings.find((f) => f.Id === `tourniquet/${member.id}`);
    expect(finding).toMatchObject({
      ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
      AwsAccountId: '111122223333',
    });
    expect(finding?.Resources?.map((r) => r.Id)).toContain(
      'arn:aws:eks:us-east-1:444455556666:cluster/prod-eks-01',
    );
    expect(await hub.find(member)).not.toBeNull();
    expect(() => settings({ type: 'securityhub', account: '4444' })).toThrow(
      /expected a 12-digit AWS account id/,
    );
  });
});
