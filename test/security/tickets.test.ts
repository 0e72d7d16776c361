import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { MemoryIncidentStore } from '@tourniquet/aws';
import { formatIncidentList } from '@tourniquet/cli';
import { type LocalTicketing, startLocalTicketing } from '@tourniquet/testkit';
import { parseTicketSettings, TicketService } from '@tourniquet/tickets';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from '../helpers/moto';

/**
 * Red team: incident text is attacker text. A pod name, a finding type, an action's detail or
 * an error message ends up in Jira, PagerDuty, ServiceNow, Security Hub and the Markdown report;
 * none of them may interpret it. Every ticket here is opened by the deployed ticket service
 * against the HTTP simulators (Jira REST v3, PagerDuty Events v2, ServiceNow Table API) and
 * Security Hub in moto, and the checks read what the systems received.
 */
const SERVICENOW_XSS = '[code]<img src=x onerror=alert(document.domain)>[/code]';
const ANSI = '\u001b]0;owned\u0007\u001b[2J\u001b[31mred\u001b[0m\u0000\u0008';
const LINKS = '[reset your password](https://evil.example/reset) ![x](https://evil.example/p.png)';

/** A GuardDuty-shaped ticket request whose pod name, finding type and action detail are `hostile`. */
function hostileRequest(name: string, hostile: { pod?: string; type?: string; detail?: string }) {
  const pod = hostile.pod ?? name;
  const key = `111122223333:us-east-1:prod-eks-01:pod:payments/${pod}`;
  return {
    incidentKey: key,
    playbook: 'contain-pod',
    reason: 'pod-level compromise',
    finding: {
      id: `finding-${name}`,
      origin: 'guardduty',
      type: hostile.type ?? 'Execution:Runtime/ReverseShell',
      title: 'Reverse shell',
      severity: 'HIGH',
      account: '111122223333',
      region: 'us-east-1',
      cluster: 'prod-eks-01',
      count: 1,
      firstSeen: '2026-11-23T12:00:00.000Z',
      lastSeen: '2026-11-23T12:00:00.000Z',
    },
    steps: [{ action: 'isolate-pod', target: `pod/payments/${pod}`, approval: 'auto' }],
    skipped: [],
    results: {
      isolatePod: {
        action: 'isolate-pod',
        status: 'applied',
        target: `pod/payments/${pod}`,
        detail: hostile.detail ?? 'isolated by network-policy',
        changes: [],
      },
    },
    approvalStatus: 'not-needed',
    dryRun: false,
  };
}

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const render = (md: string) =>
  micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });

describe('Red team: hostile incident text in tickets and the report', () => {
  const moto = useMoto();
  let ticketing: LocalTicketing;
  let store: MemoryIncidentStore;
  let service: TicketService;
  let securityHub: SecurityHubClient;

  beforeAll(async () => {
    const aws = moto();
    store = new MemoryIncidentStore();
    ticketing = await startLocalTicketing({
      sinks: ['jira', 'pagerduty', 'servicenow', 'securityhub'],
      store,
      aws: { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials },
    });
    service = new TicketService({ store, sinks: ticketing.service.sinks, actor: 'open-ticket' });
    securityHub = new SecurityHubClient(aws);
  });
  afterAll(() => ticketing?.stop());

  const jira = () => ticketing.simulators.jira as NonNullable<LocalTicketing['simulators']['jira']>;
  const pd = () =>
    ticketing.simulators.pagerduty as NonNullable<LocalTicketing['simulators']['pagerduty']>;
  const sn = () =>
    ticketing.simulators.servicenow as NonNullable<LocalTicketing['simulators']['servicenow']>;

  /** Opens the tickets, then returns what each system holds for this incident. */
  async function open(request: ReturnType<typeof hostileRequest>) {
    await service.openTicket(request);
    const record = await store.get(request.incidentKey);
    const id = record?.incident.id as string;
    const issue = [...jira().issues.values()].find((i) => i.labels.includes(id));
    const snow = [...sn().incidents.values()].find((r) => r.correlation_id === id);
    const pdEvents = pd()
      .requests.map((r) => r.body as Record<string, any>)
      .filter((b) => b?.payload?.custom_details?.incidentId === id);
    const { Findings = [] } = await securityHub.send(
      new GetFindingsCommand({
        Filters: { Id: [{ Value: `tourniquet/${id}`, Comparison: 'EQUALS' }] },
      }),
    );
    const finding = Findings.find((f) => f.Id === `tourniquet/${id}`);
    const report = (await service.report(request.incidentKey)) as string;
    return { id, issue, snow, pdEvents, finding, report };
  }

  it('a ticket field carrying ServiceNow [code] markup is neutralised', async () => {
    const { snow } = await open(
      hostileRequest('sn-code', { type: SERVICENOW_XSS, detail: `done ${SERVICENOW_XSS}` }),
    );
    expect(snow).toBeDefined();
    const fields = [
      snow?.short_description,
      snow?.description,
      ...(snow?.work_notes_journal ?? []),
    ].map(String);
    expect(fields.join('\n')).toContain('onerror'); // the text is still there, to be read
    for (const field of fields) {
      expect(field).not.toMatch(/\[\s*\/?\s*code\s*\]/i);
      expect(field).not.toMatch(/[<>]/);
    }
  });

  it('ServiceNow mention syntax in incident text cannot notify anyone', async () => {
    const mention = '@[6816f79cc0a8016401c5a33be04be441:System Administrator]';
    const { snow } = await open(hostileRequest('sn-mention', { detail: `ping ${mention}` }));
    for (const field of [snow?.description, ...(snow?.work_notes_journal ?? [])])
      expect(String(field)).not.toContain('@[');
  });

  it('a Jira ticket cannot carry a clickable link or smart link from incident text', async () => {
    const { issue } = await open(
      hostileRequest('jira-link', {
        detail: `${LINKS} see https://evil.example/login or www.evil.example, [~accountid:5b10a2844c20165700ede21g]`,
      }),
    );
    const bodies = [issue?.description, ...(issue?.comments ?? []).map((c) => c.body)];
    const textNodes: Array<{ text: string; marks?: Array<{ type: string }> }> = [];
    const walk = (node: any) => {
      if (node?.type === 'text') textNodes.push(node);
      for (const child of node?.content ?? []) walk(child);
    };
    bodies.forEach(walk);
    const linkish = textNodes.filter((n) => /:\/\/|www\./.test(n.text));
    expect(linkish.length).toBeGreaterThan(0);
    for (const node of linkish) expect(node.marks).toEqual([{ type: 'code' }]);
    expect(JSON.stringify(bodies)).not.toMatch(/"type":"(inlineCard|blockCard|mention|link)"/);
  });

  it('the Markdown report cannot be made to link, embed an image or inject HTML', async () => {
    const { report, issue } = await open(
      hostileRequest('md-inject', {
        type: `Execution:Runtime/ReverseShell ${LINKS}`,
        detail: `<img src=x onerror=alert(1)> **urgent** https://evil.example/phish`,
      }),
    );
    const html = render(report);
    expect(html).not.toMatch(/<img\b/);
    expect(html).not.toMatch(/<[a-z]+[^>]*\sonerror=/i);
    expect(html).not.toContain('<strong>urgent</strong>');
    // The only links are the ones the report makes itself: the Jira and ServiceNow tickets.
    const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toHaveLength(2);
    expect(hrefs).toContain(`${jira().url}/browse/${issue?.key}`);
    expect(hrefs.every((h) => h?.startsWith(jira().url) || h?.startsWith(sn().url))).toBe(true);
    // The table rows keep their columns.
    const actionRow = html
      .split('<tr>')
      .find((row) => row.includes('<td>isolate-pod</td>') && row.includes('<td>applied</td>'));
    expect(actionRow?.match(/<td>/g)).toHaveLength(8);
  });

  it('ANSI escapes and control characters reach no ticket and no report', async () => {
    const { issue, snow, pdEvents, finding, report } = await open(
      hostileRequest('ansi', { type: `Execution:Runtime/ReverseShell${ANSI}`, detail: ANSI }),
    );
    const received = [
      ...strings(issue?.summary),
      ...strings(issue?.description),
      ...strings(issue?.comments),
      ...strings(snow),
      ...strings(pdEvents),
      ...strings(finding),
      report,
    ];
    expect(received.length).toBeGreaterThan(10);
    for (const value of received) {
      // Tabs and line breaks are the only control characters a field may keep.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
      expect(value).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    // PagerDuty's summary is one line (it is read out in calls and SMS).
    for (const event of pdEvents) expect(event.payload.summary).not.toMatch(/\n/);
  });

  it('an oversized incident text cannot push a ticket past its fields’ limits', async () => {
    const huge = `${'A'.repeat(200_000)}`;
    const { issue, snow, pdEvents, finding } = await open(
      hostileRequest('huge', { type: `Recon:${'T'.repeat(5000)}`, detail: huge }),
    );
    const adfText = (doc: any): number =>
      doc?.type === 'text'
        ? doc.text.length
        : (doc?.content ?? []).reduce((n: number, c: unknown) => n + adfText(c), 0);
    expect(adfText(issue?.description)).toBeLessThanOrEqual(32_000);
    for (const comment of issue?.comments ?? [])
      expect(adfText(comment.body)).toBeLessThanOrEqual(32_000);
    expect(String(snow?.description).length).toBeLessThanOrEqual(4000);
    for (const note of snow?.work_notes_journal ?? [])
      expect(note.length).toBeLessThanOrEqual(4000);
    expect(pdEvents.length).toBeGreaterThan(0);
    for (const event of pdEvents) {
      expect(JSON.stringify(event).length).toBeLessThan(512 * 1024);
      for (const field of ['source', 'component', 'group', 'class'])
        expect(String(event.payload[field]).length).toBeLessThanOrEqual(255);
    }
    expect(finding?.Description?.length).toBeLessThanOrEqual(1024);
    expect(finding?.Title?.length).toBeLessThanOrEqual(256);
  });

  it("ANSI escapes in an incident cannot drive the operator's terminal in `tourniquet incidents`", async () => {
    const request = hostileRequest('cli-ansi', { pod: `x${ANSI}`, type: `T${ANSI}` });
    await service.openTicket(request);
    const head = (await store.get(request.incidentKey))?.incident;
    const listing = formatIncidentList(head ? [head] : []);
    expect(listing).toContain('payments/x');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters under test
    expect(listing.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('a ticket sink URL over plain http is refused unless it is a local simulator', () => {
    const settings = (url: string) => ({
      sinks: [
        { type: 'servicenow', instanceUrl: url, credentialsSecret: 'tourniquet/prod/servicenow' },
      ],
    });
    expect(() => parseTicketSettings(settings('http://acme.service-now.com'))).toThrow(
      /sinks\.0\.instanceUrl: must be https:\/\//,
    );
    expect(parseTicketSettings(settings('http://127.0.0.1:8080')).sinks[0]).toMatchObject({
      instanceUrl: 'http://127.0.0.1:8080',
    });
  });
});
