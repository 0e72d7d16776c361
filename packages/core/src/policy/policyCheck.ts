import type { PlaybookName } from '../actions';
import type { TourniquetConfig } from '../config/config';
import type { PolicyProblem } from '../errors';
import { ORIGINS, type Origin } from '../finding';
import { SEVERITIES, severityRank } from '../severity';
import type { Policy, PolicyMatch, PolicyRule } from './policyFile';
import { globMatches } from './policyMatch';

/** The sources whose findings a playbook can be called for (routes.ts). */
const PLAYBOOK_SOURCES: Readonly<Record<PlaybookName, readonly Origin[]>> = {
  'contain-pod': ['guardduty'],
  'contain-node': ['guardduty'],
  'revoke-identity': ['guardduty', 'cloudtrail'],
  'remediate-config': ['config'],
  'ticket-only': ORIGINS,
};

/** Playbooks whose findings name no namespace (a node, a Config resource). */
const WITHOUT_NAMESPACE: ReadonlySet<PlaybookName> = new Set(['contain-node', 'remediate-config']);

const rank = (s: string | undefined, fallback: number) =>
  s === undefined ? fallback : severityRank(s as (typeof SEVERITIES)[number]);

/**
 * What a valid policy says that cannot happen: rules that can never match, rules an earlier rule
 * always takes first, approvals the configuration overrides, clusters it does not know. Pure;
 * `config` (optional) adds the checks against the configuration.
 */
export function checkPolicy(policy: Policy, config?: TourniquetConfig): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  policy.rules.forEach((rule, i) => {
    const never = neverMatches(rule, config);
    if (never) problems.push({ path: ['rules', i, 'match', never.field], message: never.why });
    const earlier = never ? -1 : policy.rules.findIndex((e, k) => k < i && covers(e, rule));
    const shadow = policy.rules[earlier];
    if (shadow) {
      problems.push({
        path: ['rules', i],
        message: `rule '${rule.name}' is shadowed by rule '${shadow.name}' (rules.${earlier}): every finding it matches, the earlier rule takes first`,
      });
    }
    if (config) {
      rule.steps.forEach((step, j) => {
        if (step.approval === 'auto' && config.approvalRequired.includes(step.action)) {
          problems.push({
            path: ['rules', i, 'steps', j, 'approval'],
            message: `approval: auto has no effect: the configuration requires approval for ${step.action} (approvalRequired), and a policy cannot lower it`,
          });
        }
      });
    }
  });
  if (config && config.clusters.length > 0) {
    for (const name of Object.keys(policy.clusters)) {
      if (config.clusters.some((c) => c.name === name)) continue;
      problems.push({
        path: ['clusters', name],
        message: `cluster ${name} is not in the configuration (${config.clusters.map((c) => c.name).join(', ')})`,
      });
    }
  }
  return problems;
}

function neverMatches(
  rule: PolicyRule,
  config: TourniquetConfig | undefined,
): { field: string; why: string } | null {
  const m = rule.match;
  const { min, max } = m.severity ?? {};
  if (min && max && severityRank(min) > severityRank(max)) {
    return { field: 'severity', why: `min ${min} is above max ${max}: this rule can never match` };
  }
  const possible = PLAYBOOK_SOURCES[rule.playbook];
  if (m.source && !m.source.some((s) => possible.includes(s as Origin))) {
    return {
      field: 'source',
      why: `${rule.playbook} is only for ${possible.join(' and ')} findings, not ${m.source.join(', ')}: this rule can never match`,
    };
  }
  if (m.namespace && WITHOUT_NAMESPACE.has(rule.playbook)) {
    return {
      field: 'namespace',
      why: `${rule.playbook} findings name no namespace: this rule can never match`,
    };
  }
  if (m.tags && m.source && !m.source.includes('guardduty')) {
    return {
      field: 'tags',
      why: 'only GuardDuty findings carry instance tags: this rule can never match',
    };
  }
  if (config && config.clusters.length > 0) {
    const names = config.clusters.map((c) => c.name);
    if (m.cluster && !names.some((n) => m.cluster?.some((g) => globMatches(g, n)))) {
      return {
        field: 'cluster',
        why: `no configured cluster matches ${m.cluster.join(', ')} (configured: ${names.join(', ')}): this rule can never match`,
      };
    }
    const accounts = new Set([
      ...config.clusters.map((c) => c.account),
      ...Object.keys(config.accounts ?? {}),
    ]);
    if (m.account && !m.account.some((a) => accounts.has(a))) {
      return {
        field: 'account',
        why: `account ${m.account.join(', ')} is not in the configuration: this rule can never match`,
      };
    }
  }
  return null;
}

/**
 * Whether every finding `later` matches and fits, `earlier` matches and fits too. Conservative:
 * true only when each field of `earlier` provably includes `later`'s.
 */
function covers(earlier: PolicyRule, later: PolicyRule): boolean {
  if (earlier.playbook !== 'ticket-only' && earlier.playbook !== later.playbook) return false;
  const a = earlier.match;
  const b = later.match;
  const laterSources = b.source ?? PLAYBOOK_SOURCES[later.playbook];
  if (a.source && !laterSources.every((s) => a.source?.includes(s))) return false;
  if (!globsCover(a.type, b.type)) return false;
  if (!severityCovers(a, b)) return false;
  if (a.account && !b.account?.every((x) => a.account?.includes(x))) return false;
  if (!globsCover(a.cluster, b.cluster)) return false;
  if (!globsCover(a.namespace, b.namespace)) return false;
  if (a.tags) {
    for (const [key, glob] of Object.entries(a.tags)) {
      const theirs = b.tags?.[key];
      if (theirs === undefined || !globCovers(glob, theirs)) return false;
    }
  }
  return true;
}

function severityCovers(a: PolicyMatch, b: PolicyMatch): boolean {
  const top = SEVERITIES.length - 1;
  return (
    rank(a.severity?.min, 0) <= rank(b.severity?.min, 0) &&
    rank(a.severity?.max, top) >= rank(b.severity?.max, top)
  );
}

function globsCover(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a) return true;
  if (!b) return false;
  return b.every((pb) => a.some((pa) => globCovers(pa, pb)));
}

/** Every string `b` matches, `a` matches: equal, or `a` is a literal prefix followed by `*`. */
function globCovers(a: string, b: string): boolean {
  if (a === b) return true;
  const star = a.indexOf('*');
  if (star !== a.length - 1 || a.slice(0, star).includes('?')) return false;
  const prefix = a.slice(0, star);
  const literal = b.slice(0, prefix.length);
  return !/[*?]/.test(literal) && literal === prefix;
}
