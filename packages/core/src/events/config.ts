import type { ConfigRuleIdentity, Finding } from '../finding';
import { NO_EXPOSURE } from '../finding';
import { canonicalRuleName, configRuleRoute } from '../policy/configRules';
import * as z from '../zod';
import { accountId, type Envelope, nonEmpty, parseOrThrow, regionName, timestamp } from './common';
import { COMPLIANCE, configDetailFastPath } from './configFastPath';

const evaluation = z.object({
  complianceType: z.enum(COMPLIANCE),
  resultRecordedTime: z.nullish(timestamp),
  evaluationResultIdentifier: z.nullish(z.object({ orderingTimestamp: z.nullish(timestamp) })),
});

export const configDetailSchema = z.object({
  resourceId: nonEmpty,
  resourceType: nonEmpty,
  awsRegion: regionName,
  awsAccountId: accountId,
  configRuleName: nonEmpty,
  messageType: z.literal('ComplianceChangeNotification'),
  newEvaluationResult: evaluation,
  // Absent on a resource's first evaluation; only context, so nothing in it is required.
  oldEvaluationResult: z.nullish(z.object({ complianceType: z.nullish(z.enum(COMPLIANCE)) })),
  notificationCreationTime: z.nullish(timestamp),
});

export type ConfigDetail = z.infer<typeof configDetailSchema>;

export function normaliseConfig(envelope: Envelope): Finding {
  const detail =
    configDetailFastPath(envelope.detail) ??
    parseOrThrow(configDetailSchema, envelope.detail, 'Config compliance change', 'detail');
  return configFinding(envelope, detail);
}

/** The finding a Config compliance change describes, from its validated `detail`. */
export function configFinding(envelope: Envelope, detail: ConfigDetail): Finding {
  const evaluated =
    detail.newEvaluationResult.resultRecordedTime ??
    detail.newEvaluationResult.evaluationResultIdentifier?.orderingTimestamp ??
    detail.notificationCreationTime ??
    envelope.time;
  const compliance = detail.newEvaluationResult.complianceType;
  const finding: Finding = {
    origin: 'config',
    id: `${detail.configRuleName}/${detail.resourceType}/${detail.resourceId}`,
    eventId: envelope.id,
    type: '',
    title: '',
    severity: 'MEDIUM',
    account: detail.awsAccountId,
    region: detail.awsRegion,
    cluster: detail.resourceType === 'AWS::EKS::Cluster' ? detail.resourceId : null,
    pod: null,
    node: null,
    role: null,
    resource: { type: detail.resourceType, id: detail.resourceId },
    firstSeen: evaluated,
    lastSeen: evaluated,
    count: 1,
    sample: false,
    exposure: NO_EXPOSURE,
    context: {
      origin: 'config',
      ruleName: detail.configRuleName,
      rule: '',
      identity: { by: 'name', problem: null },
      compliance,
      previousCompliance: detail.oldEvaluationResult?.complianceType ?? null,
    },
    raw: envelope,
  };
  // The event carries only the rule's name; triage asks Config what the rule is
  // (identifyConfigRule), and offline the name is all there is.
  return withConfigRule(finding, canonicalRuleName(detail.configRuleName), {
    by: 'name',
    problem: null,
  });
}

/**
 * The Config finding with its rule identified as `rule`: type, title and severity follow the
 * rule, the context records how it was identified.
 */
export function withConfigRule(
  finding: Finding,
  rule: string,
  identity: ConfigRuleIdentity,
): Finding {
  const c = finding.context;
  if (c.origin !== 'config') return finding;
  const route = configRuleRoute(rule);
  return {
    ...finding,
    type: `Config:${rule}`,
    title: `${finding.resource?.type} ${finding.resource?.id} is ${c.compliance} with ${c.ruleName} (${route.description})`,
    severity: route.severity,
    context: { ...c, rule, identity },
  };
}
