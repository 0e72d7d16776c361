import { isDestructive } from '../../infra/permissions';

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

const asArray = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/**
 * The invariants the deployment must keep, checked on the resources the program would create.
 * Returns one line per violation (empty when all hold).
 */
export function infraViolations(resources: readonly RecordedResource[]): string[] {
  const problems: string[] = [];
  const of = (type: string) => resources.filter((r) => r.type === type);

  for (const target of of('aws:cloudwatch/eventTarget:EventTarget')) {
    if (target.inputs.roleArn) continue; // cross-region forwarding to the home bus
    if (!target.inputs.deadLetterConfig?.arn)
      problems.push(`rule target ${target.name} has no dead-letter queue`);
    if (!target.inputs.retryPolicy) problems.push(`rule target ${target.name} has no retry policy`);
  }

  const policies = [...of('aws:iam/rolePolicy:RolePolicy')];
  for (const policy of policies) {
    const document =
      typeof policy.inputs.policy === 'string'
        ? JSON.parse(policy.inputs.policy)
        : policy.inputs.policy;
    for (const statement of asArray<any>(document.Statement)) {
      if (statement.Effect !== 'Allow') continue;
      const actions = asArray<string>(statement.Action);
      const resourcesOf = asArray<string>(statement.Resource);
      if (actions.includes('*') || actions.some((a) => a.endsWith(':*'))) {
        problems.push(`${policy.name} grants a wildcard action (${actions.join(', ')})`);
      }
      if (resourcesOf.includes('*') && !statement.Condition) {
        const destructive = actions.filter(isDestructive);
        if (destructive.length > 0)
          problems.push(`${policy.name} grants ${destructive.join(', ')} on * without a condition`);
      }
    }
  }

  const roles = new Map(of('aws:iam/role:Role').map((r) => [r.inputs.name, r]));
  for (const fn of of('aws:lambda/function:Function')) {
    const roleName = String(fn.inputs.role).split('/').pop();
    const role = roles.get(roleName);
    if (!role) {
      problems.push(
        `function ${fn.name} uses a role the program does not create (${fn.inputs.role})`,
      );
      continue;
    }
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    const principals = asArray<any>(trust.Statement).map((s) => JSON.stringify(s.Principal));
    if (
      principals.length !== 1 ||
      principals[0] !== JSON.stringify({ Service: 'lambda.amazonaws.com' })
    ) {
      problems.push(
        `role of ${fn.name} trusts ${principals.join(', ')}, not only lambda.amazonaws.com`,
      );
    }
    if (fn.inputs.runtime !== 'nodejs22.x')
      problems.push(`function ${fn.name} runs ${fn.inputs.runtime}`);
  }

  const publicUrls = of('aws:lambda/functionUrl:FunctionUrl').filter(
    (u) => u.inputs.authorizationType === 'NONE',
  );
  const gateways = resources.filter(
    (r) => r.type.startsWith('aws:apigateway') || r.type.startsWith('aws:lb/'),
  );
  // Only the two endpoints that authenticate every request themselves: Slack's signature, and
  // the decision function's STS-verified proof of identity.
  const authenticating = ['slack-interactions', 'decide'];
  const names = publicUrls.map((u) => String(u.inputs.functionName));
  if (
    names.some((n) => !authenticating.some((a) => n.endsWith(`-${a}`))) ||
    new Set(names).size !== names.length ||
    gateways.length > 0
  ) {
    problems.push(
      `public endpoints: ${[...names, ...gateways.map((g) => g.name)].join(', ') || 'none'}; only the Slack and decision endpoints may be public`,
    );
  }
  for (const machine of of('aws:sfn/stateMachine:StateMachine')) {
    if (machine.inputs.loggingConfiguration?.includeExecutionData !== false) {
      problems.push(
        `state machine ${machine.name} logs execution data (its approval Task's parameters carry the task token)`,
      );
    }
  }
  return problems;
}
