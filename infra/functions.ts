import { ACTIONS } from '@tourniquet/actions';
import { functionCode } from './functionCode';
import { lambdaRole } from './lambdaRole';
import {
  type FunctionName,
  functionStatements,
  isActionFunction,
  type ScopeContext,
} from './permissions';
import type { ReservedConcurrency } from './settings';

const ENTRIES: Record<string, string> = {
  triage: 'functions/triage.ts',
  'request-approval': 'functions/requestApproval.ts',
  'slack-interactions': 'functions/slackInteractions.ts',
  decide: 'functions/decide.ts',
  'open-ticket': 'functions/openTicket.ts',
  escalate: 'functions/escalate.ts',
};

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Entry file of a function: the action handlers live in functions/actions/<camelName>.ts. */
export function entryOf(name: FunctionName): string {
  return ENTRIES[name] ?? `functions/actions/${camel(name)}.ts`;
}

export interface FunctionSet {
  functions: Record<FunctionName, aws.lambda.Function>;
  roles: Record<FunctionName, aws.iam.Role>;
}

/** The reserved concurrency of a function, if it has one (see ReservedConcurrency). */
export function reservedConcurrencyOf(
  name: FunctionName,
  reserved: ReservedConcurrency,
): number | null {
  if (name === 'slack-interactions') return reserved.slackInteractions;
  return isActionFunction(name) ? reserved.actions : null;
}

/** Every function with its own role: nodejs22.x on arm64, logs in JSON, tracing on. */
export function functions(
  names: readonly FunctionName[],
  scope: $util.Output<ScopeContext>,
  environment: $util.Input<Record<string, $util.Input<string>>>,
  reserved: ReservedConcurrency,
): FunctionSet {
  const result = { functions: {}, roles: {} } as FunctionSet;
  for (const name of names) {
    const id = camel(name).replace(/^./, (c) => c.toUpperCase());
    const role = lambdaRole(
      id,
      scope.apply((s) => functionStatements(name, s)),
      scope.apply((s) => s.partition),
    );
    result.roles[name] = role;
    result.functions[name] = new aws.lambda.Function(id, {
      name: `tourniquet-${$app.stage}-${name}`,
      role: role.arn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      code: functionCode(entryOf(name), name),
      memorySize: Object.hasOwn(ACTIONS, name) || name === 'triage' ? 512 : 256,
      reservedConcurrentExecutions: reservedConcurrencyOf(name, reserved) ?? undefined,
      timeout: name === 'slack-interactions' || name === 'decide' ? 10 : 60,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'JSON' },
      environment: {
        variables: $util
          .output(environment)
          .apply((e) => ({ ...e, POWERTOOLS_SERVICE_NAME: 'tourniquet' })),
      },
    });
  }
  return result;
}
