import { sendRequest } from '../sendRequest';
import type { PagerDutyCredentials, PagerDutySettings } from '../ticketSettings';
import type {
  TicketDocument,
  TicketRef,
  TicketSink,
  TicketSubject,
  TicketUpdate,
} from '../ticketSink';
import { pagerDutyDetails, pagerDutyField, pagerDutySummary } from './pagerDutyText';

/** Events API v2 limits: dedup_key 255 characters (text fields: see pagerDutyText). */
const DEDUP_KEY_LIMIT = 255;
/** The summary text rides along in full; the report gets most of the event's room. */
const SUMMARY_DETAILS_LIMIT = 16 * 1024;
const PAGERDUTY_KEY_LIMIT = 1024;

const SEVERITY: Readonly<Record<string, 'critical' | 'error' | 'warning' | 'info'>> = {
  CRITICAL: 'critical',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'info',
};

type EventAction = 'trigger' | 'acknowledge' | 'resolve';

/**
 * PagerDuty Events API v2. The dedup key is the incident key, so PagerDuty itself folds every
 * event of an incident into one alert: a second trigger is an update (PagerDuty's comment),
 * never a second page storm. Acknowledge when contained, resolve on release. Every text field
 * goes through pagerDutyText.
 */
export class PagerDutySink implements TicketSink {
  readonly name = 'pagerduty';
  readonly pages = true;
  readonly acknowledges = true;

  constructor(
    private readonly settings: PagerDutySettings,
    private readonly credentials: () => Promise<PagerDutyCredentials>,
  ) {}

  /** Nothing to look up: a trigger with the same dedup key lands on the same alert anyway. */
  async find(): Promise<TicketRef | null> {
    return null;
  }

  async open(subject: TicketSubject, document: TicketDocument) {
    const ref = await this.trigger(subject, subject.title, document, subject.severity);
    return { ref, notes: [] };
  }

  async comment(
    _ref: TicketRef,
    subject: TicketSubject,
    update: TicketUpdate,
    document: TicketDocument,
  ) {
    await this.trigger(
      subject,
      `${subject.title} — ${firstLine(update.text)}`,
      document,
      subject.severity,
    );
    return [];
  }

  async page(
    _ref: TicketRef,
    subject: TicketSubject,
    update: TicketUpdate,
    document: TicketDocument,
  ) {
    await this.trigger(
      subject,
      `ESCALATED: ${subject.title} — ${firstLine(update.text)}`,
      document,
      'CRITICAL',
    );
    return [];
  }

  async acknowledge(_ref: TicketRef, subject: TicketSubject) {
    await this.send('acknowledge', subject);
    return [];
  }

  async resolve(_ref: TicketRef, subject: TicketSubject) {
    await this.send('resolve', subject);
    return [];
  }

  private async trigger(
    subject: TicketSubject,
    summary: string,
    document: TicketDocument,
    severity: string,
  ): Promise<TicketRef> {
    const dedupKey = await this.send('trigger', subject, {
      summary: pagerDutySummary(summary),
      source: pagerDutyField(this.settings.source ?? subject.subject),
      severity: SEVERITY[severity] ?? 'error',
      timestamp: new Date().toISOString(),
      component: pagerDutyField(subject.subject),
      group: pagerDutyField(subject.cluster ?? subject.account),
      class: pagerDutyField(subject.sourceFindings[0]?.type ?? 'tourniquet-incident'),
      custom_details: {
        incident: pagerDutyDetails(subject.key, PAGERDUTY_KEY_LIMIT),
        incidentId: subject.id,
        status: subject.status,
        summary: pagerDutyDetails(document.summary, SUMMARY_DETAILS_LIMIT),
        report: pagerDutyDetails(document.report),
      },
    });
    return { id: dedupKey, apiId: dedupKey, url: null };
  }

  private async send(action: EventAction, subject: TicketSubject, payload?: unknown) {
    const { routingKey } = await this.credentials();
    const { json } = await sendRequest({
      doing: `pagerduty ${action}`,
      method: 'POST',
      url: this.settings.eventsUrl,
      json: {
        routing_key: routingKey,
        event_action: action,
        dedup_key: dedupKey(subject),
        ...(payload ? { payload, client: 'Tourniquet' } : {}),
      },
    });
    return (json as { dedup_key?: string }).dedup_key ?? dedupKey(subject);
  }
}

/**
 * The incident key itself; keys beyond PagerDuty's limit, or carrying characters that are not
 * plain single-line text, fall back to the short incident id (stable either way).
 */
export function dedupKey(subject: Pick<TicketSubject, 'key' | 'id'>): string {
  return pagerDutyField(subject.key) === subject.key && subject.key.length <= DEDUP_KEY_LIMIT
    ? subject.key
    : subject.id;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? '';
}
