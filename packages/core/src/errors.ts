/**
 * Errors raised by the Tourniquet domain. Every error names the problem precisely enough that an
 * operator can fix the input without reading a stack trace; Step Functions and the CLI match on
 * `name`.
 */
export class TourniquetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TourniquetError';
  }
}

/** One offending field of an input document, as a dotted path plus what is wrong with it. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** An event that is recognised but does not have the shape its source guarantees. */
export class EventValidationError extends TourniquetError {
  readonly problems: FieldProblem[];
  constructor(kind: string, problems: FieldProblem[], options?: ErrorOptions) {
    super(`invalid ${kind}: ${describeProblems(problems)}`, options);
    this.name = 'EventValidationError';
    this.problems = problems;
  }
}

/** An event from a source / detail-type that Tourniquet does not handle at all. */
export class UnrecognisedEventError extends TourniquetError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnrecognisedEventError';
  }
}

/** A configuration document that does not validate; the message names each offending key. */
export class ConfigError extends TourniquetError {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[], options?: ErrorOptions) {
    super(`invalid configuration: ${describeProblems(problems)}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const MAX_PROBLEMS_IN_MESSAGE = 5;

export function describeProblems(problems: FieldProblem[]): string {
  const shown = problems
    .slice(0, MAX_PROBLEMS_IN_MESSAGE)
    .map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  const more = problems.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** Where in a policy file a problem is: the path of keys and indices, and, from YAML, its position. */
export interface PolicyProblem {
  path: ReadonlyArray<string | number>;
  message: string;
  line?: number;
  column?: number;
}

/** A policy document that does not validate; each problem names its rule and key. */
export class PolicyError extends TourniquetError {
  readonly problems: PolicyProblem[];
  readonly file: string | null;
  constructor(problems: PolicyProblem[], file: string | null = null, options?: ErrorOptions) {
    super(`invalid policy: ${describePolicyProblems(problems, file)}`, options);
    this.name = 'PolicyError';
    this.problems = problems;
    this.file = file;
  }
}

/** `file:line:column: message` when the position is known, else `file: path: message`. */
export function formatPolicyProblem(problem: PolicyProblem, file: string | null): string {
  const where =
    problem.line !== undefined
      ? `${file ?? '<policy>'}:${problem.line}:${problem.column ?? 1}`
      : (file ?? '<policy>');
  const path = problem.path.length > 0 ? `${problem.path.join('.')}: ` : '';
  return `${where}: ${path}${problem.message}`;
}

function describePolicyProblems(problems: PolicyProblem[], file: string | null): string {
  const shown = problems.slice(0, MAX_PROBLEMS_IN_MESSAGE).map((p) => formatPolicyProblem(p, file));
  const more = problems.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}
