import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_POLICY_FILE,
  DESTRUCTIVE_ACTIONS,
  formatPolicyProblem,
  type Policy,
  PolicyError,
  parsePolicyYaml,
} from '@tourniquet/core';

/**
 * The built-in policy, from packages/core/policy/default.yaml: the module the planner loads it
 * through (packages/core/src/policy/defaultPolicy.generated.ts, so no YAML parser ships in the
 * Lambda bundles) and README's "What it decides" table. `--check` fails when either is stale
 * (run in the tests).
 */
export const REPO_ROOT = join(import.meta.dirname, '..');
export const GENERATED_MODULE = 'packages/core/src/policy/defaultPolicy.generated.ts';
const START = '<!-- policy:start -->';
const END = '<!-- policy:end -->';

export function defaultPolicyText(): string {
  return readFileSync(join(REPO_ROOT, DEFAULT_POLICY_FILE), 'utf8');
}

/** The generated module: the validated document as JSON in a template literal. */
export function generatedPolicyModule(yamlText = defaultPolicyText()): string {
  const { policy } = parseOrExplain(yamlText);
  const json = JSON.stringify(policy, null, 2).replaceAll('\\', '\\\\').replaceAll('`', '\\`');
  return `// Generated from ${DEFAULT_POLICY_FILE} by \`npm run docs:policy\`; do not edit.
export const DEFAULT_POLICY_JSON = \`${json.replaceAll('${', '\\${')}\`;
`;
}

function parseOrExplain(text: string) {
  try {
    return parsePolicyYaml(text, DEFAULT_POLICY_FILE);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw new Error(error.problems.map((p) => formatPolicyProblem(p, error.file)).join('\n'));
  }
}

const cell = (text: string) => text.replace(/\s+/g, ' ').replaceAll('|', '\\|').trim();

/** README's table: one row per rule, then the findings no rule ever sees. */
export function decisionsTable(
  policy: Policy = parseOrExplain(defaultPolicyText()).policy,
): string {
  const rows = policy.rules.map((rule) => {
    const steps = rule.steps.map((s) => {
      const star = DESTRUCTIVE_ACTIONS.includes(s.action as never) || s.approval === 'required';
      return `${s.action}${star ? '\\*' : ''}${s.note ? ` (${cell(s.note)})` : ''}`;
    });
    return `| \`${rule.name}\` | ${cell(rule.description ?? describeMatch(rule.match))} | \`${rule.playbook}\` | ${steps.join(', ')} |`;
  });
  return [
    '| rule | finding | playbook | steps |',
    '| --- | --- | --- | --- |',
    ...rows,
    '| (before the policy) | Config COMPLIANT, IRSA calls from inside the egress CIDRs, non-EKS GuardDuty findings, non-IRSA CloudTrail: not incidents | none | — |',
  ].join('\n');
}

function describeMatch(match: Policy['rules'][number]['match']): string {
  const parts = Object.entries(match).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return parts.length > 0 ? parts.join('; ') : 'any finding';
}

/** README.md with the table between its markers replaced. */
export function readmeWithDecisions(readme: string, table = decisionsTable()): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const files: Array<[string, string]> = [
    [GENERATED_MODULE, generatedPolicyModule()],
    ['README.md', readmeWithDecisions(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))],
  ];
  let stale = false;
  for (const [file, content] of files) {
    const path = join(REPO_ROOT, file);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current === content) continue;
    if (check) {
      console.error(`${file} is stale: run npm run docs:policy`);
      stale = true;
    } else {
      writeFileSync(path, content);
      console.log(`wrote ${file}`);
    }
  }
  if (stale) process.exit(1);
}
