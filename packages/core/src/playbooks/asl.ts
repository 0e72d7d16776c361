import { type ActionName, DESTRUCTIVE_ACTIONS, type PlaybookName } from '../actions';
import { STEP_CONDITIONS, type StepCondition } from '../policy/stepConditions';
import { stepKey } from './stepKey';

/** Amazon States Language (JSONPath), just the parts Tourniquet emits. */
export type AslState = Record<string, unknown> & { Type: string };
export interface AslDefinition {
  Comment: string;
  QueryLanguage: 'JSONPath';
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

export const ERRORS = {
  transient: 'TransientActionError',
  denied: 'ApprovalDenied',
  timeout: 'States.Timeout',
  all: 'States.ALL',
} as const;

/** Errors worth retrying: ours, and the Lambda service's own transient failures. */
export const RETRY = [
  {
    ErrorEquals: [
      ERRORS.transient,
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'Lambda.ClientExecutionTimeoutException',
    ],
    IntervalSeconds: 1,
    BackoffRate: 2,
    MaxAttempts: 4,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  },
];

export const STATE_NAMES = {
  openTicket: 'Open ticket',
  updateTicket: 'Update ticket',
  runSteps: 'Run steps',
  anyFailed: 'Any step failed?',
  escalate: 'Escalate',
} as const;

export const CONDITIONS = Object.keys(STEP_CONDITIONS) as StepCondition[];

/**
 * Choice rules that hold when a condition does: the earlier step's result field is present, a
 * boolean and the wanted value. IsPresent first, so a result without the field (a dry run, a
 * skipped or failed step, an older action) leaves the condition false instead of failing the
 * execution with States.Runtime.
 */
export function conditionHolds(condition: StepCondition): unknown[] {
  const { after, field, equals } = STEP_CONDITIONS[condition];
  const variable = `$.results.${stepKey(after)}.${field}`;
  return [
    { Variable: variable, IsPresent: true },
    { Variable: variable, IsBoolean: true },
    { Variable: variable, BooleanEquals: equals },
  ];
}

export const capitalised = (key: string) => `${key[0]?.toUpperCase()}${key.slice(1)}`;

/** What runs right after an action's Task (before the chain goes on); returns its first state. */
export type AfterTask = (action: ActionName, next: string) => string;

/** A failed Task is recorded under `$.failures.<key>` and the playbook goes on to `next`. */
export const recordFailure = (key: string, next: string) => [
  { ErrorEquals: [ERRORS.all], ResultPath: `$.failures.${key}`, Next: next },
];

/** Builds one state machine definition; the per-playbook functions only choose the actions. */

/** Actions of a playbook that can need approval (by default: the destructive ones). */
export function destructive(actions: readonly ActionName[]): ActionName[] {
  return actions.filter((a) => DESTRUCTIVE_ACTIONS.includes(a));
}

export type { PlaybookName };
