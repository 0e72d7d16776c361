import { ConfigError, describeProblems, type FieldProblem } from '@tourniquet/core';

/** A scenario file that cannot be read or is not valid; says "scenario", names file and key. */
export class ScenarioError extends ConfigError {
  constructor(problems: FieldProblem[], options?: ErrorOptions) {
    super(problems, options);
    this.name = 'ScenarioError';
    this.message = `invalid scenario: ${describeProblems(problems)}`;
  }
}
