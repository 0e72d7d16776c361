import { FUNCTION_NAMES, isActionFunction, isDestructive } from '../../infra/permissions';

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** The physical id the (mocked) provider gave it. */
  id?: string;
  /** The provider reference (`urn::id`) when not the default one. */
  provider?: string;
  /** The account the program deployed it to. */
  account?: string;
}

/** Which of the app's functions a deployed function name is (`tourniquet-<stage>-<name>`). */
function functionNameOf(deployed: string) {
  return [...FUNCTION_NAMES]
    .sort((a, b) => b.length - a.length)
    .find((n) => String(deployed).endsWith(`-${n}`));
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

  // Nothing fails silently: an asynchronous function's role can write exactly the queue its
  // failures go to, and every function's errors and every failed delivery raise an alarm.
  const policyOfFunction = (fnName: string) => {
    const fn = of('aws:lambda/function:Function').find((f) => f.inputs.name === fnName);
    const role = roles.get(String(fn?.inputs.role).split('/').pop());
    const policy = policies.find((p) => role?.id !== undefined && p.inputs.role === role.id);
    return policy ? JSON.parse(policy.inputs.policy) : { Statement: [] };
  };
  const sendTargets = (fnName: string) =>
    asArray<any>(policyOfFunction(fnName).Statement)
      .filter(
        (st) => st.Effect === 'Allow' && asArray<string>(st.Action).includes('sqs:SendMessage'),
      )
      .flatMap((st) => asArray<string>(st.Resource));
  const invokeConfigs = of('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig');
  const destinations = new Map<string, string>();
  for (const config of invokeConfigs) {
    const destination = config.inputs.destinationConfig?.onFailure?.destination;
    const fnName = String(config.inputs.functionName);
    if (!destination) {
      problems.push(`asynchronous invocations of ${fnName} have no failure destination`);
      continue;
    }
    destinations.set(fnName, destination);
    const targets = sendTargets(fnName);
    if (targets.length !== 1 || targets[0] !== destination)
      problems.push(
        `${fnName} sends its failures to ${destination} but its role may send to ${targets.join(', ') || 'no queue'}`,
      );
  }
  const alarmList = of('aws:cloudwatch/metricAlarm:MetricAlarm');
  const topics = of('aws:sns/topic:Topic').map((t) => t.inputs.name);
  const alarmed = (metric: string, dimension: string, value: string) =>
    alarmList.some(
      (a) =>
        a.inputs.metricName === metric &&
        a.inputs.dimensions?.[dimension] === value &&
        asArray<string>(a.inputs.alarmActions).some((arn) =>
          topics.some((t) => String(arn).endsWith(`:${t}`)),
        ),
    );
  for (const fn of of('aws:lambda/function:Function')) {
    const name = String(fn.inputs.name);
    if (!destinations.has(name) && sendTargets(name).length > 0)
      problems.push(`${name} may send to SQS but has no failure destination`);
    if (!alarmed('Errors', 'FunctionName', name)) problems.push(`no Errors alarm for ${name}`);
    if (destinations.has(name) && !alarmed('DestinationDeliveryFailures', 'FunctionName', name))
      problems.push(`no DestinationDeliveryFailures alarm for ${name}`);
    const which = functionNameOf(name);
    const reserved = fn.inputs.reservedConcurrentExecutions;
    if (
      which &&
      (which === 'slack-interactions' || isActionFunction(which)) &&
      !(Number.isInteger(reserved) && reserved >= 1)
    )
      problems.push(`${name} has no reserved concurrency`);
  }
  for (const queue of new Set(destinations.values())) {
    const name = String(queue).split(':').pop();
    if (!alarmed('ApproximateNumberOfMessagesVisible', 'QueueName', String(name)))
      problems.push(`no depth alarm on dead-letter queue ${name}`);
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
