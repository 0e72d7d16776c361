import { basicAuth, sendRequest } from '../sendRequest';
import type { JiraCredentials, JiraSettings } from '../ticketSettings';
import type {
  TicketDocument,
  TicketRef,
  TicketSink,
  TicketSubject,
  TicketUpdate,
} from '../ticketSink';
import { jiraDocument, jiraSummary } from './jiraText';

/**
 * Jira Cloud, REST API v3 with plain fetch (jira.js needs Node 22): one issue per incident,
 * labelled with the incident id so an interrupted creation can be found again; the report as an
 * attachment; updates as comments; resolve = comment, final report, transition to done. Every
 * text field goes through jiraText (ADF, never wiki markup).
 */
export class JiraSink implements TicketSink {
  readonly name = 'jira';
  readonly pages = false;
  readonly acknowledges = false;

  constructor(
    private readonly settings: JiraSettings,
    private readonly credentials: () => Promise<JiraCredentials>,
  ) {}

  async find(subject: TicketSubject): Promise<TicketRef | null> {
    const { json } = await this.call('find', 'POST', '/rest/api/3/search/jql', {
      json: {
        jql: `project = "${this.settings.projectKey}" AND labels = "${subject.id}" ORDER BY created ASC`,
        fields: ['summary'],
        maxResults: 1,
      },
    });
    const issue = (json as { issues?: Array<{ key: string }> }).issues?.[0];
    return issue ? this.ref(issue.key) : null;
  }

  async open(subject: TicketSubject, document: TicketDocument) {
    const { json } = await this.call('open', 'POST', '/rest/api/3/issue', {
      json: {
        fields: {
          project: { key: this.settings.projectKey },
          issuetype: { name: this.settings.issueType },
          summary: jiraSummary(subject.title),
          description: jiraDocument(document.summary),
          labels: ['tourniquet', subject.id, ...this.settings.labels],
        },
      },
    });
    const ref = this.ref((json as { key: string }).key);
    return { ref, notes: await this.attachReport(ref, subject, document) };
  }

  async comment(ref: TicketRef, _subject: TicketSubject, update: TicketUpdate) {
    await this.call('comment', 'POST', `/rest/api/3/issue/${ref.apiId}/comment`, {
      json: { body: jiraDocument(update.text) },
    });
    return [];
  }

  /** Jira does not page anyone; the escalation is a comment that says so. */
  async page(ref: TicketRef, subject: TicketSubject, update: TicketUpdate) {
    return this.comment(ref, subject, { ...update, text: `ESCALATED\n\n${update.text}` });
  }

  async acknowledge(): Promise<string[]> {
    return [];
  }

  async resolve(
    ref: TicketRef,
    subject: TicketSubject,
    update: TicketUpdate,
    document: TicketDocument,
  ) {
    await this.comment(ref, subject, update);
    const notes = await this.attachReport(ref, subject, document);
    const { json } = await this.call(
      'resolve',
      'GET',
      `/rest/api/3/issue/${ref.apiId}/transitions`,
    );
    const transitions =
      (
        json as {
          transitions?: Array<{
            id: string;
            name: string;
            to?: { statusCategory?: { key?: string } };
          }>;
        }
      ).transitions ?? [];
    const wanted = this.settings.resolveTransition;
    const transition = wanted
      ? transitions.find((t) => t.name === wanted)
      : transitions.find((t) => t.to?.statusCategory?.key === 'done');
    if (!transition) {
      return [
        ...notes,
        `no ${wanted ? `'${wanted}'` : 'done'} transition on ${ref.id}: left open, commented`,
      ];
    }
    await this.call('resolve', 'POST', `/rest/api/3/issue/${ref.apiId}/transitions`, {
      json: { transition: { id: transition.id } },
    });
    return notes;
  }

  /**
   * The report rides along as a file. The issue already exists when this runs, so a failed
   * upload is a note on the incident, not a failed (and then repeated) ticket creation.
   */
  private async attachReport(ref: TicketRef, subject: TicketSubject, document: TicketDocument) {
    const form = new FormData();
    const file = new Blob([document.report], { type: 'text/markdown' });
    form.append('file', file, `${subject.id}-report.md`);
    try {
      await this.call('attach report', 'POST', `/rest/api/3/issue/${ref.apiId}/attachments`, {
        body: form,
        // Jira refuses attachment uploads without it (XSRF protection).
        headers: { 'X-Atlassian-Token': 'no-check' },
      });
      return [];
    } catch (error) {
      return [`report not attached to ${ref.id}: ${(error as Error).message}`];
    }
  }

  private ref(key: string): TicketRef {
    return { id: key, apiId: key, url: `${this.settings.baseUrl}/browse/${key}` };
  }

  private async call(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    extra: { json?: unknown; body?: FormData; headers?: Record<string, string> } = {},
  ) {
    const { email, apiToken } = await this.credentials();
    return sendRequest({
      doing: `jira ${operation}`,
      method,
      url: `${this.settings.baseUrl}${path}`,
      headers: { Authorization: basicAuth(email, apiToken), ...extra.headers },
      json: extra.json,
      body: extra.body,
    });
  }
}
