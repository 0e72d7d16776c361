import type { ActionName } from '../actions';
import type { Severity } from '../severity';

export interface ConfigRuleRoute {
  /** Remediation action for the rule; absent → the incident only gets a ticket. */
  action?: ActionName;
  severity: Severity;
  description: string;
}

/**
 * AWS Config managed rules Tourniquet knows, keyed by the rule identifier in lower-case
 * kebab form (how Config and Security Hub name managed rules). The control → runbook mapping
 * is data: adding a rule here is the whole change.
 */
export const CONFIG_RULES: Readonly<Record<string, ConfigRuleRoute>> = {
  'ec2-imdsv2-check': {
    action: 'require-imdsv2',
    severity: 'MEDIUM',
    description: 'instance allows IMDSv1',
  },
  'eks-endpoint-no-public-access': {
    action: 'disable-public-endpoint',
    severity: 'HIGH',
    description: 'cluster API endpoint is publicly reachable',
  },
  'eks-cluster-logging-enabled': {
    action: 'enable-control-plane-logging',
    severity: 'MEDIUM',
    description: 'control-plane logging is off',
  },
  'restricted-ssh': {
    action: 'revoke-open-ingress',
    severity: 'HIGH',
    description: 'security group allows SSH from anywhere',
  },
  'vpc-sg-open-only-to-authorized-ports': {
    action: 'revoke-open-ingress',
    severity: 'HIGH',
    description: 'security group opens unauthorised ports to the internet',
  },
  'eks-secrets-encrypted': {
    severity: 'MEDIUM',
    description: 'Kubernetes secrets are not envelope-encrypted (needs a KMS key decision)',
  },
};

const UNKNOWN_RULE: ConfigRuleRoute = { severity: 'MEDIUM', description: 'unknown rule' };

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
