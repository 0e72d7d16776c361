import { ACTIONS } from '@tourniquet/actions';
import { type Reach, serviceNameOf, stageResourceNames, type VpcAccess } from '@tourniquet/core';
import { functionCode } from './functionCode';
import { camel, entryOf } from './functionEntries';
import { lambdaRole } from './lambdaRole';
import {
  type FunctionName,
  functionStatements,
  isActionFunction,
  type ScopeContext,
} from './permissions';
import type { ReservedConcurrency } from './settings';

export { entryOf };

export interface FunctionSet {
  functions: Record<FunctionName, aws.lambda.Function>;
  roles: Record<FunctionName, aws.iam.Role>;
  /**
   * By reach key: the copies of the Kubernetes-using action functions that run in that VPC
   * access (same code, same role; see docs/decisions.md, "Reaching private cluster endpoints").
   */
  copies: Record<string, Partial<Record<FunctionName, aws.lambda.Function>>>;
}

/** Actions that call a cluster's API server: they must run where the endpoint answers. */
export function usesKubernetes(name: FunctionName): boolean {
  const action = (ACTIONS as Record<string, { permissions: { kubernetes: readonly string[] } }>)[
    name
  ];
  return action !== undefined && action.permissions.kubernetes.length > 0;
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
  reaches: ReadonlyArray<Reach & VpcAccess> = [],
  /** Variables only one function gets (triage's policy), on top of `environment`. */
  own: Partial<Record<FunctionName, Record<string, string>>> = {},
): FunctionSet {
  const result = {
    functions: {},
    roles: {},
    copies: Object.fromEntries(reaches.map((r) => [r.key, {}])),
  } as FunctionSet;
  for (const name of names) {
    const id = camel(name).replace(/^./, (c) => c.toUpperCase());
    const role = lambdaRole(
      id,
      scope.apply((s) => functionStatements(name, s)),
      scope.apply((s) => s.partition),
    );
    result.roles[name] = role;
    // Bundled once: the VPC copies run the same code.
    const code = functionCode(entryOf(name), name);
    const args = (suffix: string): aws.lambda.FunctionArgs => ({
      name: stageResourceNames.function($app.stage, name, suffix),
      role: role.arn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      code,
      memorySize: Object.hasOwn(ACTIONS, name) || name === 'triage' ? 512 : 256,
      reservedConcurrentExecutions: reservedConcurrencyOf(name, reserved) ?? undefined,
      timeout: name === 'slack-interactions' || name === 'decide' ? 10 : 60,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'JSON' },
      // The VPC copies share the name: one service in logs, traces and the dashboard.
      environment: {
        variables: $util
          .output(environment)
          .apply((e) => ({ ...e, ...own[name], POWERTOOLS_SERVICE_NAME: serviceNameOf(name) })),
      },
    });
    result.functions[name] = new aws.lambda.Function(id, args(''));
    if (!usesKubernetes(name) || reaches.length === 0) continue;
    // Lambda creates the copies' network interfaces with the function's own role.
    new aws.iam.RolePolicyAttachment(`${id}VpcAccess`, {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
    });
    for (const reach of reaches) {
      (result.copies[reach.key] as Partial<Record<FunctionName, aws.lambda.Function>>)[name] =
        new aws.lambda.Function(`${id}${reach.key.toUpperCase()}`, {
          ...args(`-${reach.key}`),
          vpcConfig: { subnetIds: reach.subnetIds, securityGroupIds: [reach.securityGroupId] },
        });
    }
  }
  return result;
}
