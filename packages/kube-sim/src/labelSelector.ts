import { BadRequestError } from './errors';
import { isJsonObject } from './kubeObject';

type Requirement =
  | { key: string; op: 'exists' | 'notExists' }
  | { key: string; op: 'in' | 'notIn'; values: readonly string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = readonly Requirement[];

const KEY = String.raw`([^\s=!<>(),]+)`;
const NOT_EXISTS = new RegExp(String.raw`^!\s*${KEY}$`);
const EXISTS = new RegExp(`^${KEY}$`);
const SET = new RegExp(String.raw`^${KEY}\s+(in|notin)\s*\(([^()]*)\)$`);
const COMPARE = new RegExp(String.raw`^${KEY}\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$`);

/** Splits on commas that are not inside `in (...)` lists. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function parseRequirement(text: string): Requirement {
  const term = text.trim();
  let match = NOT_EXISTS.exec(term);
  if (match?.[1]) return { key: match[1], op: 'notExists' };
  match = EXISTS.exec(term);
  if (match?.[1]) return { key: match[1], op: 'exists' };
  match = SET.exec(term);
  if (match?.[1] && match[3] !== undefined) {
    const values = match[3].split(',').map((v) => v.trim());
    return { key: match[1], op: match[2] === 'in' ? 'in' : 'notIn', values };
  }
  match = COMPARE.exec(term);
  if (match?.[1] && match[2] && match[3] !== undefined) {
    const [, key, op, value] = match;
    if (op === '>' || op === '<') {
      const number = Number(value);
      if (value === '' || !Number.isInteger(number)) {
        throw new BadRequestError(
          `unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer: ${term}`,
        );
      }
      return { key, op: op === '>' ? 'gt' : 'lt', value: number };
    }
    return { key, op: op === '!=' ? 'notIn' : 'in', values: [value] };
  }
  throw new BadRequestError(
    `unable to parse requirement: found '${term}', expected: a label selector requirement`,
  );
}

/** Parses `labelSelector` as the API server does: equality-based and set-based requirements, ANDed. */
export function parseLabelSelector(text: string | null): LabelSelector {
  if (text === null || text.trim() === '') return [];
  return splitTopLevel(text).map(parseRequirement);
}

function requirementMatches(requirement: Requirement, value: string | undefined): boolean {
  switch (requirement.op) {
    case 'exists':
      return value !== undefined;
    case 'notExists':
      return value === undefined;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notIn':
      return value === undefined || !requirement.values.includes(value);
    case 'gt':
      return value !== undefined && Number(value) > requirement.value;
    case 'lt':
      return value !== undefined && Number(value) < requirement.value;
  }
}

export function matchesLabels(
  selector: LabelSelector,
  labels: Readonly<Record<string, unknown>> | undefined,
): boolean {
  return selector.every((requirement) => {
    const present = labels !== undefined && Object.hasOwn(labels, requirement.key);
    return requirementMatches(requirement, present ? String(labels[requirement.key]) : undefined);
  });
}

/**
 * Converts a metav1.LabelSelector object (`matchLabels` + `matchExpressions`) into requirements.
 * A missing selector selects nothing, an empty one everything, as for policy/v1 budgets.
 */
export function selectorFromObject(selector: unknown): LabelSelector | null {
  if (!isJsonObject(selector)) return null;
  const requirements: Requirement[] = [];
  if (isJsonObject(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      requirements.push({ key, op: 'in', values: [String(value)] });
    }
  }
  for (const expression of Array.isArray(selector.matchExpressions)
    ? selector.matchExpressions
    : []) {
    if (!isJsonObject(expression)) continue;
    const key = String(expression.key);
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    const op = EXPRESSION_OPS[String(expression.operator)];
    if (op === 'exists' || op === 'notExists') requirements.push({ key, op });
    else if (op) requirements.push({ key, op, values });
  }
  return requirements;
}

const EXPRESSION_OPS: Readonly<Record<string, 'in' | 'notIn' | 'exists' | 'notExists'>> = {
  In: 'in',
  NotIn: 'notIn',
  Exists: 'exists',
  DoesNotExist: 'notExists',
};
