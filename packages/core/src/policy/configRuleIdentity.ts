import { withConfigRule } from '../events/config';
import type { Finding } from '../finding';
import { ruleForIdentifier } from './configRules';

/** A Config rule's `Source`, as DescribeConfigRules reports it. */
export interface ConfigRuleSource {
  /** `AWS` for a managed rule; `CUSTOM_LAMBDA` or `CUSTOM_POLICY` for a custom one. */
  owner: string;
  /** The managed rule's identifier (`EKS_ENDPOINT_NO_PUBLIC_ACCESS`); a Lambda ARN for a custom rule. */
  sourceIdentifier: string | null;
}

/**
 * Looks a Config rule up by name in the account and region that evaluated it. Core calls no
 * AWS API: packages/aws implements this with DescribeConfigRules, cached per rule.
 */
export interface ConfigRuleResolver {
  /** null when there is no such rule there; throws when the answer cannot be had. */
  source(rule: { name: string; account: string; region: string }): Promise<ConfigRuleSource | null>;
}

/**
 * Identifies a NON_COMPLIANT Config finding's rule by what it is rather than what it is called:
 * CDK, CloudFormation, Control Tower and conformance packs give managed rules arbitrary names
 * (`Stack-EksEndpointNoPublicAccess49…`, `AWSControlTower_…`), and a custom rule may be named
 * like a managed one. When the lookup fails or finds no rule, the name pattern stands and the
 * finding says so (the plan's reason carries it).
 */
export async function identifyConfigRule(
  finding: Finding,
  resolver: ConfigRuleResolver,
): Promise<Finding> {
  const c = finding.context;
  if (c.origin !== 'config' || c.compliance !== 'NON_COMPLIANT') return finding;
  const where = `${finding.account}/${finding.region}`;
  let source: ConfigRuleSource | null;
  try {
    source = await resolver.source({
      name: c.ruleName,
      account: finding.account,
      region: finding.region,
    });
  } catch (error) {
    return withConfigRule(finding, c.rule, {
      by: 'name',
      problem: `DescribeConfigRules failed (${describe(error)}), so the rule was identified by its name only`,
    });
  }
  if (!source)
    return withConfigRule(finding, c.rule, {
      by: 'name',
      problem: `DescribeConfigRules found no rule ${c.ruleName} in ${where}, so the rule was identified by its name only`,
    });
  const identity = {
    by: 'source' as const,
    owner: source.owner,
    sourceIdentifier: source.sourceIdentifier,
  };
  if (source.owner !== 'AWS' || !source.sourceIdentifier)
    return withConfigRule(finding, `custom:${c.ruleName}`, identity);
  return withConfigRule(finding, ruleForIdentifier(source.sourceIdentifier), identity);
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  const text = [e?.name, e?.message].filter(Boolean).join(': ') || String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
