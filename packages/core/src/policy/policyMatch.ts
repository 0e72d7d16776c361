import type { PlaybookName } from '../actions';
import type { Finding } from '../finding';
import { severityRank } from '../severity';
import type { Policy, PolicyMatch, PolicyRule } from './policyFile';

/**
 * `*` any run of characters (`/` and `:` included), `?` one character, everything else itself;
 * case-sensitive, whole string. Iterative with one backtrack point, so the cost is at most
 * pattern length × text length whatever the pattern.
 */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      resume = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

const anyGlob = (patterns: readonly string[] | undefined, value: string | null | undefined) =>
  patterns === undefined || (value != null && patterns.some((g) => globMatches(g, value)));

/**
 * The namespace a finding is about: its pod's, else the service account's behind an IRSA role
 * (CloudTrail, or the caller of a denied AssumeRoleWithWebIdentity), else a named workload's.
 */
export function findingNamespace(f: Finding): string | null {
  if (f.pod) return f.pod.namespace;
  if (f.role?.serviceAccount) return f.role.serviceAccount.namespace;
  const c = f.context;
  if (c.origin === 'cloudtrail' && c.serviceAccount) return c.serviceAccount.namespace;
  if (c.origin === 'guardduty' && c.workloadNamespace) return c.workloadNamespace;
  return null;
}

/** Whether the matcher holds for the finding (every field given must hold). */
export function matchHolds(m: PolicyMatch, f: Finding): boolean {
  if (m.source && !m.source.includes(f.origin)) return false;
  if (!anyGlob(m.type, f.type)) return false;
  if (m.severity) {
    const rank = severityRank(f.severity);
    if (m.severity.min && rank < severityRank(m.severity.min)) return false;
    if (m.severity.max && rank > severityRank(m.severity.max)) return false;
  }
  if (m.account && !m.account.includes(f.account)) return false;
  if (!anyGlob(m.cluster, f.cluster)) return false;
  if (!anyGlob(m.namespace, findingNamespace(f))) return false;
  if (m.tags) {
    const tags = f.node?.tags ?? {};
    for (const [key, value] of Object.entries(m.tags)) {
      if (!Object.hasOwn(tags, key) || !globMatches(value, tags[key] as string)) return false;
    }
  }
  return true;
}

/**
 * A rule fits a finding whose facts call for its playbook; `ticket-only` fits every finding
 * that gets a playbook at all (a policy can always do less, never something else).
 */
export function ruleFits(rule: PolicyRule, routed: PlaybookName): boolean {
  return rule.playbook === routed || rule.playbook === 'ticket-only';
}

/** The first rule that matches and fits, or null (the planner then opens a ticket only). */
export function selectRule(policy: Policy, f: Finding, routed: PlaybookName): PolicyRule | null {
  for (const rule of policy.rules) {
    if (ruleFits(rule, routed) && matchHolds(rule.match, f)) return rule;
  }
  return null;
}
