import type { ActionName } from '../actions';
import type { Severity } from '../severity';

export interface ConfigRuleRoute {
  /**
   * The managed rule's identifier (`Source.SourceIdentifier`), which is how Config names the rule
   * whatever a deployment calls it; usually the name in upper snake case, not always.
   */
  identifier: string;
  /** Remediation action for the rule; absent → the incident only gets a ticket. */
  action?: ActionName;
  severity: Severity;
  description: string;
}

/**
 * AWS Config managed rules Tourniquet knows, keyed by the managed rule's name (lower-case
 * kebab, as Config's documentation and Security Hub name them), each with its identifier. The control → runbook mapping
 * is data: adding a rule here is the whole change.
 */
export const CONFIG_RULES: Readonly<Record<string, ConfigRuleRoute>> = {
  'ec2-imdsv2-check': {
    identifier: 'EC2_IMDSV2_CHECK',
    action: 'require-imdsv2',
    severity: 'MEDIUM',
    description: 'instance allows IMDSv1',
  },
  'eks-endpoint-no-public-access': {
    identifier: 'EKS_ENDPOINT_NO_PUBLIC_ACCESS',
    action: 'disable-public-endpoint',
    severity: 'HIGH',
    description: 'cluster API endpoint is publicly reachable',
  },
  'eks-cluster-logging-enabled': {
    identifier: 'EKS_CLUSTER_LOGGING_ENABLED',
    action: 'enable-control-plane-logging',
    severity: 'MEDIUM',
    description: 'control-plane logging is off',
  },
  'restricted-ssh': {
    identifier: 'INCOMING_SSH_DISABLED',
    action: 'revoke-open-ingress',
    severity: 'HIGH',
    description: 'security group allows SSH from anywhere',
  },
  'vpc-sg-open-only-to-authorized-ports': {
    identifier: 'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS',
    action: 'revoke-open-ingress',
    severity: 'HIGH',
    description: 'security group opens unauthorised ports to the internet',
  },
  'eks-secrets-encrypted': {
    identifier: 'EKS_SECRETS_ENCRYPTED',
    severity: 'MEDIUM',
    description: 'Kubernetes secrets are not envelope-encrypted (needs a KMS key decision)',
  },
};

const UNKNOWN_RULE: ConfigRuleRoute = {
  identifier: '',
  severity: 'MEDIUM',
  description: 'unknown rule',
};

const BY_IDENTIFIER: ReadonlyMap<string, string> = new Map(
  Object.entries(CONFIG_RULES).map(([rule, route]) => [route.identifier, rule]),
);

/**
 * The rule a managed-rule identifier stands for: the CONFIG_RULES key (`INCOMING_SSH_DISABLED` →
 * `restricted-ssh`), or, for a rule Tourniquet does not know, the identifier in the same kebab
 * form (`EKS_CLUSTER_SUPPORTED_VERSION` → `eks-cluster-supported-version`).
 */
export function ruleForIdentifier(identifier: string): string {
  return BY_IDENTIFIER.get(identifier) ?? identifier.toLowerCase().replaceAll('_', '-');
}

const SECURITY_HUB_NAME = /^securityhub-(.+)-[0-9a-f]{8}$/;
const CONFORMANCE_PACK_NAME = /^(.+)-conformance-pack-[0-9a-z]+$/;

/**
 * The managed-rule identifier behind a deployed rule name: Security Hub deploys
 * `securityhub-<rule>-<8 hex>` and conformance packs `<rule>-conformance-pack-<suffix>`.
 */
export function canonicalRuleName(ruleName: string): string {
  const lower = ruleName.toLowerCase();
  return SECURITY_HUB_NAME.exec(lower)?.[1] ?? CONFORMANCE_PACK_NAME.exec(lower)?.[1] ?? lower;
}

export function configRuleRoute(rule: string): ConfigRuleRoute {
  return Object.hasOwn(CONFIG_RULES, rule) ? (CONFIG_RULES[rule] as ConfigRuleRoute) : UNKNOWN_RULE;
}

export function isKnownConfigRule(rule: string): boolean {
  return Object.hasOwn(CONFIG_RULES, rule);
}
