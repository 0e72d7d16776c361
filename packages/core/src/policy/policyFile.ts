import {
  ACTION_NAMES,
  type ActionName,
  isActionName,
  PLAYBOOK_NAMES,
  type PlaybookName,
} from '../actions';
import { PolicyError, type PolicyProblem } from '../errors';
import { ORIGINS, type Origin } from '../finding';
import { SEVERITIES, type Severity } from '../severity';
import { didYouMean } from '../suggest';
import * as z from '../zod';
import { PLAYBOOK_ACTION_ORDER } from './playbooks';

/** The policy file format this code reads; a file names it in `version`. */
export const POLICY_VERSION = 1;

/** Longest glob accepted: patterns are matched against finding fields, not written by attackers. */
const MAX_PATTERN_LENGTH = 200;

/**
 * Keys a policy might reach for that are deliberately not in the format: each is a safety rail
 * or a target, which the policy cannot change (docs/policy.md, "What a policy cannot do").
 */
const NOT_IN_POLICY: Readonly<Record<string, string>> = {
  target: "a policy cannot choose a step's target: targets come from the finding (DESIGN §6a)",
  targets: "a policy cannot choose a step's target: targets come from the finding (DESIGN §6a)",
  protectedNamespaces:
    'protected namespaces are a safety rail of the configuration, not of the policy',
  blastRadius: 'the blast radius is a safety rail of the configuration, not of the policy',
  approvalRequired:
    'the approval floor is the configuration\'s approvalRequired; a step can only add "approval: required"',
  minimumSeverity:
    'the severity threshold is a safety rail of the configuration; match on severity instead',
  dryRunActions: 'dry-run actions are set in the configuration; a step can add "dryRun: true"',
};

/** The steps a playbook's state machine can run (open-ticket: every playbook). */
export function playbookActions(playbook: PlaybookName): readonly ActionName[] {
  return [...PLAYBOOK_ACTION_ORDER[playbook], 'open-ticket'];
}

const pattern = z
  .string()
  .check(z.minLength(1, 'must not be empty'))
  .check(z.maxLength(MAX_PATTERN_LENGTH, `at most ${MAX_PATTERN_LENGTH} characters`));

/** A value or a non-empty list of them; always a list once parsed. */
const oneOrMany = <T extends z.ZodMiniType>(item: T) =>
  z.pipe(
    z.union([item, z.array(item).check(z.minLength(1, 'must list at least one value'))]),
    z.transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]),
  );

const source = z.string().check(
  z.superRefine((value, ctx) => {
    if ((ORIGINS as readonly string[]).includes(value)) return;
    ctx.addIssue({
      code: 'custom',
      message: `unknown source '${value}'${didYouMean(value, ORIGINS)}: this rule can never match (sources: ${ORIGINS.join(', ')})`,
    });
  }),
);

const severity = z.enum(SEVERITIES, {
  error: (issue) =>
    `expected one of ${SEVERITIES.join(', ')}${typeof issue.input === 'string' ? ` (got '${issue.input}')` : ''}`,
});

const action = z.pipe(
  z.string().check(
    z.superRefine((value, ctx) => {
      if (isActionName(value)) return;
      ctx.addIssue({
        code: 'custom',
        message: `unknown action '${value}'${didYouMean(value, ACTION_NAMES)}`,
      });
    }),
  ),
  z.transform((value) => value as ActionName),
);

const matchSchema = z.strictObject({
  /** guardduty, config or cloudtrail. */
  source: z.optional(oneOrMany(source)),
  /** Globs on the finding type (`Execution:Runtime/*`; a Config rule's name; a CloudTrail event name). */
  type: z.optional(oneOrMany(pattern)),
  severity: z.optional(z.strictObject({ min: z.optional(severity), max: z.optional(severity) })),
  account: z.optional(
    oneOrMany(z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit AWS account id'))),
  ),
  /** Globs on the cluster the finding belongs to (as the configuration resolved it). */
  cluster: z.optional(oneOrMany(pattern)),
  /** Globs on the namespace of the finding's pod or service account. */
  namespace: z.optional(oneOrMany(pattern)),
  /** Tags the finding carries on its EC2 instance: every key present, its value matching the glob. */
  tags: z.optional(z.record(z.string().check(z.minLength(1)), pattern)),
});

const stepSchema = z.pipe(
  z.transform((value: unknown) => (typeof value === 'string' ? { action: value } : value)),
  z.strictObject({
    action,
    /** `required` adds an approval; `auto` leaves the configuration's floor (it cannot lower it). */
    approval: z.optional(z.enum(['auto', 'required'])),
    dryRun: z._default(z.boolean(), false),
    /** Documentation only (README's table). */
    note: z.optional(z.string()),
  }),
);

const ruleSchema = z.strictObject({
  name: z
    .string()
    .check(
      z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lower-case name such as pod-compromise'),
    ),
  /** Documentation only: which findings the rule is for (README's table). */
  description: z.optional(z.string()),
  match: z._default(matchSchema, {}),
  playbook: z.enum(PLAYBOOK_NAMES, {
    error: (issue) =>
      `expected a playbook: ${PLAYBOOK_NAMES.join(', ')}${typeof issue.input === 'string' ? `, not '${issue.input}'${didYouMean(issue.input, PLAYBOOK_NAMES)}` : ''}`,
  }),
  /** Every step of the rule only reports what it would do. */
  dryRun: z._default(z.boolean(), false),
  steps: z.array(stepSchema).check(z.minLength(1, 'list at least open-ticket')),
});

const clusterName = z
  .string()
  .check(z.regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'expected an EKS cluster name'));

const policySchema = z.strictObject({
  version: z.unknown().check(
    z.superRefine((value, ctx) => {
      if (value === POLICY_VERSION) return;
      ctx.addIssue({
        code: 'custom',
        message:
          value === undefined
            ? `missing: add "version: ${POLICY_VERSION}"`
            : `this Tourniquet reads policy version ${POLICY_VERSION}, not ${JSON.stringify(value)}`,
      });
    }),
  ),
  /** Per cluster (by name): `observeOnly: true` plans everything and applies nothing there. */
  clusters: z._default(z.record(clusterName, z.strictObject({ observeOnly: z.boolean() })), {}),
  rules: z.array(ruleSchema).check(z.minLength(1, 'a policy needs at least one rule')),
});

export type PolicyMatch = z.infer<typeof matchSchema>;
export type PolicyStep = z.infer<typeof stepSchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export interface Policy {
  version: typeof POLICY_VERSION;
  /** By cluster name; `observeOnly`: plan everything, apply nothing (docs/policy.md). */
  clusters: Record<string, { observeOnly: boolean }>;
  rules: PolicyRule[];
}

export type { Origin, Severity };

/**
 * Validates a parsed policy document (YAML or JSON). Throws PolicyError listing every problem
 * with its path; `locate` adds positions (see parsePolicyYaml).
 */
export function parsePolicy(
  document: unknown,
  file: string | null = null,
  locate?: (path: ReadonlyArray<string | number>) => { line: number; column: number } | null,
): Policy {
  const withPosition = (p: PolicyProblem): PolicyProblem => {
    const at = locate?.(p.path);
    return at ? { ...p, ...at } : p;
  };
  const result = policySchema.safeParse(document ?? {});
  if (!result.success) {
    throw new PolicyError(result.error.issues.flatMap(toProblems).map(withPosition), file);
  }
  const policy = result.data as Policy;
  const problems = ruleProblems(policy).map(withPosition);
  if (problems.length > 0) throw new PolicyError(problems, file);
  return policy;
}

function toProblems(issue: z.core.$ZodIssue): PolicyProblem[] {
  const path = issue.path.map((k) => (typeof k === 'number' ? k : String(k)));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: Object.hasOwn(NOT_IN_POLICY, key)
        ? `not a policy key: ${NOT_IN_POLICY[key]}`
        : `unknown key${didYouMean(key, knownKeys(path))}`,
    }));
  }
  if (issue.code === 'invalid_union') {
    // A value-or-list field: say what it takes rather than "invalid input".
    return [{ path, message: 'expected a value or a list of values' }];
  }
  return [{ path, message: issue.message }];
}

/** The keys the format knows where an unknown one was found, for "did you mean". */
function knownKeys(path: ReadonlyArray<string | number>): readonly string[] {
  const [first, , third, fourth] = path;
  if (path.length === 0) return Object.keys(policySchema.shape);
  if (first === 'clusters') return ['observeOnly'];
  if (path.length === 2) return Object.keys(ruleSchema.shape);
  if (third === 'match')
    return fourth === 'severity' ? ['min', 'max'] : Object.keys(matchSchema.shape);
  if (third === 'steps') return ['action', 'approval', 'dryRun', 'note'];
  return [];
}

/** What the schema cannot say: names unique, steps the playbook runs, a ticket in every rule. */
function ruleProblems(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const names = new Map<string, number>();
  policy.rules.forEach((rule, i) => {
    const earlier = names.get(rule.name);
    if (earlier !== undefined) {
      problems.push({
        path: ['rules', i, 'name'],
        message: `rule name '${rule.name}' is already used by rules.${earlier}`,
      });
    } else names.set(rule.name, i);
    const allowed = playbookActions(rule.playbook);
    const seen = new Set<ActionName>();
    rule.steps.forEach((step, j) => {
      const a = step.action;
      if (seen.has(a)) {
        problems.push({ path: ['rules', i, 'steps', j], message: `${a} is listed twice` });
      }
      seen.add(a);
      if (!allowed.includes(a)) {
        problems.push({
          path: ['rules', i, 'steps', j, 'action'],
          message: `${a} is not a step of the ${rule.playbook} playbook (its steps: ${allowed.join(', ')})`,
        });
      }
    });
    if (!seen.has('open-ticket')) {
      problems.push({
        path: ['rules', i, 'steps'],
        message:
          'every rule must list open-ticket: the ticket carries the plan, every skipped and failed step, and pages on-call',
      });
    }
    if (rule.playbook !== 'ticket-only' && ![...seen].some((a) => a !== 'open-ticket')) {
      problems.push({
        path: ['rules', i, 'steps'],
        message: `${rule.playbook} with open-ticket alone is ticket-only: say "playbook: ticket-only"`,
      });
    }
  });
  return problems;
}

/**
 * The policy as shipped to triage: no documentation fields, no defaults, a step with nothing
 * but its action as its name. parsePolicy reads it back to the same policy.
 */
export function compactPolicy(policy: Policy): Policy {
  return {
    version: policy.version,
    clusters: policy.clusters,
    rules: policy.rules.map(({ description: _d, dryRun, steps, ...rule }) => ({
      ...rule,
      ...(dryRun ? { dryRun } : {}),
      steps: steps.map(({ note: _n, dryRun: stepDryRun, ...step }) =>
        step.approval || stepDryRun
          ? { ...step, ...(stepDryRun ? { dryRun: stepDryRun } : {}) }
          : step.action,
      ),
    })),
  } as unknown as Policy;
}
