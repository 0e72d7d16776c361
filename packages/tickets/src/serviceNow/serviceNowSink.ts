import { basicAuth, sendRequest } from '../sendRequest';
import type { ServiceNowCredentials, ServiceNowSettings } from '../ticketSettings';
import type {
  TicketDocument,
  TicketRef,
  TicketSink,
  TicketSubject,
  TicketUpdate,
} from '../ticketSink';
import { serviceNowShortText, serviceNowText } from './serviceNowText';

/** ServiceNow impact/urgency: 1 high, 2 medium, 3 low. */
const LEVEL: Readonly<Record<string, '1' | '2' | '3'>> = {
  CRITICAL: '1',
  HIGH: '1',
  MEDIUM: '2',
  LOW: '3',
};

/** Incident states of the default incident table. */
const STATE = { inProgress: '2', resolved: '6' } as const;

interface IncidentRow {
  sys_id: string;
  number: string;
}

/**
 * ServiceNow Table API (`/api/now/table/incident`). The incident id goes into `correlation_id`
 * (made for exactly this: the id in the external system), which is how an interrupted creation
 * is found again. Updates are work notes; resolve sets state 6 with the close code and notes
 * the instance's data policy requires. Every text field goes through serviceNowText.
 */
export class ServiceNowSink implements TicketSink {
  readonly name = 'servicenow';
  readonly pages = false;
  readonly acknowledges = true;

  constructor(
    private readonly settings: ServiceNowSettings,
    private readonly credentials: () => Promise<ServiceNowCredentials>,
  ) {}

  async find(subject: TicketSubject): Promise<TicketRef | null> {
    const query = new URLSearchParams({
      sysparm_query: `correlation_id=${subject.id}`,
      sysparm_limit: '1',
      sysparm_fields: 'sys_id,number',
    });
    const { json } = await this.call('find', 'GET', `/api/now/table/incident?${query}`);
    const row = (json as { result?: IncidentRow[] }).result?.[0];
    return row ? this.ref(row) : null;
  }

  async open(subject: TicketSubject, document: TicketDocument) {
    const level = LEVEL[subject.severity] ?? '2';
    const { json } = await this.call('open', 'POST', '/api/now/table/incident', {
      short_description: serviceNowShortText(subject.title),
      description: serviceNowText(document.summary),
      impact: level,
      urgency: level,
      category: this.settings.category,
      correlation_id: subject.id,
      correlation_display: 'Tourniquet',
      ...(this.settings.assignmentGroup ? { assignment_group: this.settings.assignmentGroup } : {}),
      ...(this.settings.callerId ? { caller_id: this.settings.callerId } : {}),
    });
    const ref = this.ref((json as { result: IncidentRow }).result);
    return { ref, notes: await this.attachReport(ref, subject, document) };
  }

  async comment(ref: TicketRef, _subject: TicketSubject, update: TicketUpdate) {
    await this.patch('comment', ref, { work_notes: serviceNowText(update.text) });
    return [];
  }

  /** Raises impact and urgency to high; the assignment group's on-call rules do the paging. */
  async page(ref: TicketRef, _subject: TicketSubject, update: TicketUpdate) {
    await this.patch('page', ref, {
      impact: '1',
      urgency: '1',
      work_notes: serviceNowText(`ESCALATED\n${update.text}`),
    });
    return [];
  }

  async acknowledge(ref: TicketRef) {
    await this.patch('acknowledge', ref, {
      state: STATE.inProgress,
      work_notes: 'Contained by Tourniquet; being worked.',
    });
    return [];
  }

  async resolve(
    ref: TicketRef,
    subject: TicketSubject,
    update: TicketUpdate,
    document: TicketDocument,
  ) {
    await this.patch('resolve', ref, {
      state: STATE.resolved,
      close_code: this.settings.closeCode,
      close_notes: serviceNowText(update.text),
    });
    return this.attachReport(ref, subject, document);
  }

  /** As in Jira: the record exists by now, so a failed upload is a note, not a failure. */
  private async attachReport(ref: TicketRef, subject: TicketSubject, document: TicketDocument) {
    const query = new URLSearchParams({
      table_name: 'incident',
      table_sys_id: ref.apiId,
      file_name: `${subject.id}-report.md`,
    });
    try {
      await this.call('attach report', 'POST', `/api/now/attachment/file?${query}`, undefined, {
        body: document.report,
        contentType: 'text/markdown',
      });
      return [];
    } catch (error) {
      return [`report not attached to ${ref.id}: ${(error as Error).message}`];
    }
  }

  private patch(operation: string, ref: TicketRef, fields: Record<string, string>) {
    return this.call(operation, 'PATCH', `/api/now/table/incident/${ref.apiId}`, fields);
  }

  private ref(row: IncidentRow): TicketRef {
    return {
      id: row.number,
      apiId: row.sys_id,
      url: `${this.settings.instanceUrl}/nav_to.do?uri=incident.do?sys_id=${row.sys_id}`,
    };
  }

  private async call(
    operation: string,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    json?: unknown,
    raw?: { body: string; contentType: string },
  ) {
    const { username, password } = await this.credentials();
    return sendRequest({
      doing: `servicenow ${operation}`,
      method,
      url: `${this.settings.instanceUrl}${path}`,
      headers: {
        Authorization: basicAuth(username, password),
        ...(raw ? { 'Content-Type': raw.contentType } : {}),
      },
      json,
      body: raw?.body,
    });
  }
}
