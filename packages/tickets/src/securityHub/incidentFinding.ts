import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { TicketSubject } from '../ticketSink';
import {
  SECURITYHUB_RESOURCE_ID_LIMIT,
  securityHubDescription,
  securityHubField,
  securityHubTitle,
} from './securityHubText';

/** ASFF finding types (namespace/category) by what the incident is about. */
const TYPES: Readonly<Record<string, string>> = {
  pod: 'Unusual Behaviors/Container',
  node: 'Unusual Behaviors/VM',
  instance: 'Unusual Behaviors/VM',
  role: 'Unusual Behaviors/User',
};

export function incidentFindingId(subject: Pick<TicketSubject, 'id'>): string {
  return `tourniquet/${subject.id}`;
}

/** Findings a customer imports go to the account's default product. */
export function defaultProductArn(region: string, account: string): string {
  return `arn:aws:securityhub:${region}:${account}:product/${account}/default`;
}

export function guardDutyProductArn(region: string): string {
  return `arn:aws:securityhub:${region}::product/aws/guardduty`;
}

/**
 * The incident as an ASFF finding, linked to the findings that caused it. Imported again on
 * every update (same Id → Security Hub updates it in place; UpdatedAt must move forward). Text
 * fields go through securityHubText.
 */
export function incidentFinding(
  subject: TicketSubject,
  description: string,
  options: { region: string; severity?: string; archived?: boolean; now: Date; account?: string },
): AwsSecurityFinding {
  const importer = options.account ?? subject.account;
  const kind = subject.key.split(':')[3] ?? 'resource';
  const related = subject.sourceFindings
    .filter((f) => f.securityHubId)
    .map((f) => ({
      ProductArn: guardDutyProductArn(options.region),
      Id: f.securityHubId as string,
    }));
  return {
    SchemaVersion: '2018-10-08',
    Id: incidentFindingId(subject),
    ProductArn: defaultProductArn(options.region, importer),
    GeneratorId: 'tourniquet',
    AwsAccountId: importer,
    Types: [TYPES[kind] ?? 'Software and Configuration Checks/AWS Security Best Practices'],
    CreatedAt: subject.createdAt,
    UpdatedAt: options.now.toISOString(),
    Severity: { Label: (options.severity ?? subject.severity) as never },
    Title: securityHubTitle(subject.title),
    Description: securityHubDescription(description),
    Resources: [
      {
        Type: 'Other',
        Id: securityHubField(subject.subject, SECURITYHUB_RESOURCE_ID_LIMIT),
        Partition: 'aws',
        Region: options.region,
      },
      ...(subject.cluster
        ? [
            {
              Type: 'AwsEksCluster',
              Id: `arn:aws:eks:${options.region}:${subject.account}:cluster/${subject.cluster}`,
              Partition: 'aws' as const,
              Region: options.region,
            },
          ]
        : []),
    ],
    ProductFields: {
      'tourniquet/incidentKey': securityHubField(subject.key),
      'tourniquet/incidentId': subject.id,
      'tourniquet/status': subject.status,
    },
    ...(related.length > 0 ? { RelatedFindings: related } : {}),
    RecordState: options.archived ? 'ARCHIVED' : 'ACTIVE',
  };
}
