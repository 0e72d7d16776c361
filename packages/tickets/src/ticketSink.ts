import type { IncidentStatus } from '@tourniquet/core';

export const SINK_NAMES = ['jira', 'pagerduty', 'servicenow', 'securityhub'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

/** A ticket at a sink. */
export interface TicketRef {
  /** What people see and search for: Jira key, ServiceNow number, dedup key, finding id. */
  id: string;
  /** What the API addresses (ServiceNow sys_id); the same as `id` elsewhere. */
  apiId: string;
  url: string | null;
}

/** What a sink needs to know about the incident to file or find its ticket. */
export interface TicketSubject {
  key: string;
  /** `tq-…`: stable, short, label-safe. Sinks store it to find the ticket again. */
  id: string;
  title: string;
  severity: string;
  status: IncidentStatus;
  account: string;
  region: string;
  cluster: string | null;
  /** What is affected, e.g. `pod payments/payments-api-7d9f8b6c5-x2kqp`. */
  subject: string;
  sourceFindings: Array<{ id: string; type: string; securityHubId: string | null }>;
  createdAt: string;
}

/** The ticket's content: a short description and the full report (Markdown) to attach. */
export interface TicketDocument {
  summary: string;
  report: string;
}

/** One update to post: a comment or a page, identified so a retry does not post it twice. */
export interface TicketUpdate {
  id: string;
  text: string;
}

/**
 * A ticket system. Every sink can open, find, comment, page (escalate), acknowledge and resolve;
 * what each means is the sink's (a PagerDuty comment is a re-trigger on the same dedup key, a
 * Jira page is a comment). Methods return notes: things that did not fail the call but belong
 * in the audit trail (an API the sink's region lacks, say). Errors are TransientTicketError or
 * PermanentTicketError.
 */
export interface TicketSink {
  readonly name: SinkName | (string & {});
  /** Whether `page` reaches a human now (PagerDuty) rather than only recording it. */
  readonly pages: boolean;
  /** Whether the sink has an acknowledged state (PagerDuty, ServiceNow in progress). */
  readonly acknowledges: boolean;
  /** The ticket an earlier, interrupted attempt may have created. */
  find(subject: TicketSubject): Promise<TicketRef | null>;
  open(
    subject: TicketSubject,
    document: TicketDocument,
  ): Promise<{ ref: TicketRef; notes: string[] }>;
  comment(
    ref: TicketRef,
    subject: TicketSubject,
    update: TicketUpdate,
    document: TicketDocument,
  ): Promise<string[]>;
  page(
    ref: TicketRef,
    subject: TicketSubject,
    update: TicketUpdate,
    document: TicketDocument,
  ): Promise<string[]>;
  acknowledge(ref: TicketRef, subject: TicketSubject): Promise<string[]>;
  resolve(
    ref: TicketRef,
    subject: TicketSubject,
    update: TicketUpdate,
    document: TicketDocument,
  ): Promise<string[]>;
}
