import type { SecurityHubClient, WorkflowStatus } from '@aws-sdk/client-securityhub';
import { PermanentTicketError } from '../errors';
import { sdkError } from '../sdkError';
import type { SecurityHubSettings } from '../ticketSettings';
import type {
  TicketDocument,
  TicketRef,
  TicketSink,
  TicketSubject,
  TicketUpdate,
} from '../ticketSink';
import {
  defaultProductArn,
  guardDutyProductArn,
  incidentFinding,
  incidentFindingId,
} from './incidentFinding';
import { loadSecurityHubSdk } from './loadSecurityHubSdk';

/**
 * AWS Security Hub: the incident is imported as its own finding (BatchImportFindings, upsert by
 * Id), and the source findings' workflow follows it with BatchUpdateFindings — NOTIFIED when
 * the incident opens, RESOLVED on release. BatchUpdateFindings is best effort: where it is not
 * available (moto, a region or account without it) the sink returns a note for the audit trail
 * and archives its own finding instead of resolving it.
 */
export class SecurityHubSink implements TicketSink {
  readonly name = 'securityhub';
  readonly pages = false;
  readonly acknowledges = false;

  constructor(
    private readonly settings: SecurityHubSettings,
    private readonly client: (region: string) => SecurityHubClient | Promise<SecurityHubClient>,
    private readonly defaultRegion: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async find(subject: TicketSubject): Promise<TicketRef | null> {
    const region = this.region(subject);
    try {
      const { GetFindingsCommand } = await loadSecurityHubSdk();
      const { Findings = [] } = await (await this.client(region)).send(
        new GetFindingsCommand({
          Filters: {
            Id: [{ Value: incidentFindingId(subject), Comparison: 'EQUALS' }],
            ProductArn: [
              { Value: defaultProductArn(region, this.importer(subject)), Comparison: 'EQUALS' },
            ],
          },
        }),
      );
      // Matched here too: not every implementation of the API applies the Id filter (moto).
      return Findings.some((f) => f.Id === incidentFindingId(subject)) ? this.ref(subject) : null;
    } catch (error) {
      throw sdkError(error, 'securityhub find');
    }
  }

  async open(subject: TicketSubject, document: TicketDocument) {
    await this.import('open', subject, document.summary);
    const notes = await this.workflow(subject, 'NOTIFIED', false);
    return { ref: this.ref(subject), notes };
  }

  async comment(_ref: TicketRef, subject: TicketSubject, update: TicketUpdate) {
    await this.import('comment', subject, update.text);
    return [];
  }

  async page(_ref: TicketRef, subject: TicketSubject, update: TicketUpdate) {
    await this.import('page', subject, `ESCALATED\n${update.text}`, { severity: 'CRITICAL' });
    return [];
  }

  async acknowledge(): Promise<string[]> {
    return [];
  }

  async resolve(_ref: TicketRef, subject: TicketSubject, update: TicketUpdate) {
    const notes = await this.workflow(subject, 'RESOLVED', true);
    // Without BatchUpdateFindings the finding's own workflow cannot move; archiving it is the
    // provider-side way to take it off the active list.
    await this.import('resolve', subject, update.text, { archived: notes.length > 0 });
    return notes;
  }

  private async import(
    operation: string,
    subject: TicketSubject,
    description: string,
    options: { severity?: string; archived?: boolean } = {},
  ) {
    const region = this.region(subject);
    const finding = incidentFinding(subject, description, {
      region,
      now: this.now(),
      account: this.importer(subject),
      ...options,
    });
    let result: {
      FailedCount?: number;
      FailedFindings?: Array<{ ErrorCode?: string; ErrorMessage?: string }>;
    };
    try {
      const { BatchImportFindingsCommand } = await loadSecurityHubSdk();
      result = await (await this.client(region)).send(
        new BatchImportFindingsCommand({ Findings: [finding] }),
      );
    } catch (error) {
      throw sdkError(error, `securityhub ${operation}`);
    }
    const failed = result.FailedFindings?.[0];
    if ((result.FailedCount ?? 0) > 0 || failed) {
      throw new PermanentTicketError(
        `securityhub ${operation}: BatchImportFindings refused the finding: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`,
      );
    }
  }

  /** Moves the source findings (and, on resolve, the incident's own) to `status`; notes on failure. */
  private async workflow(subject: TicketSubject, status: WorkflowStatus, includeOwn: boolean) {
    const region = this.region(subject);
    const identifiers = subject.sourceFindings
      .filter((f) => f.securityHubId)
      .map((f) => ({ Id: f.securityHubId as string, ProductArn: guardDutyProductArn(region) }));
    if (includeOwn) {
      identifiers.push({
        Id: incidentFindingId(subject),
        ProductArn: defaultProductArn(region, this.importer(subject)),
      });
    }
    if (identifiers.length === 0) return [];
    try {
      const { BatchUpdateFindingsCommand } = await loadSecurityHubSdk();
      const { UnprocessedFindings = [] } = await (await this.client(region)).send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: identifiers,
          Workflow: { Status: status },
          Note: {
            Text: `Tourniquet incident ${subject.id}: ${subject.status}`,
            UpdatedBy: 'tourniquet',
          },
        }),
      );
      return UnprocessedFindings.map(
        (u) =>
          `workflow ${status} not set on ${u.FindingIdentifier?.Id}: ${u.ErrorCode}: ${u.ErrorMessage}`,
      );
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number } };
      const status_ = e.$metadata?.httpStatusCode;
      return [
        `BatchUpdateFindings not available (workflow ${status} not set on ${identifiers.length} finding(s)): ${e.name}${status_ ? ` HTTP ${status_}` : ''}`,
      ];
    }
  }

  /** The account the incident's finding is imported into (see SecurityHubSettings.account). */
  private importer(subject: TicketSubject): string {
    return this.settings.account ?? subject.account;
  }

  private region(subject: TicketSubject): string {
    // IAM incidents are keyed on region `global`; Security Hub needs a real one.
    if (this.settings.region) return this.settings.region;
    return subject.region === 'global' ? this.defaultRegion : subject.region;
  }

  private ref(subject: TicketSubject): TicketRef {
    const id = incidentFindingId(subject);
    return { id, apiId: id, url: null };
  }
}
