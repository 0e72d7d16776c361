import {
  type PlaybookFunctions,
  playbookDefinition,
  STATE_MACHINE_NAMES,
  type StateMachineName,
} from '@tourniquet/core';
import { serviceRole } from './serviceRole';

/**
 * One Standard state machine per playbook, from core's definition with the real function ARNs
 * (the same function the tests run locally). Logging on (events without their input and output),
 * X-Ray on; the role may invoke exactly the app's functions.
 */
export function playbooks(
  arns: $util.Output<PlaybookFunctions>,
  functionArns: $util.Input<string>[],
  approvalTimeoutSeconds: number,
  /**
   * One more set of state machines per VPC reach, named `<playbook>-<key>`: the same definitions
   * with the Kubernetes-using actions' ARNs swapped for that reach's function copies.
   */
  variants: ReadonlyArray<{ key: string; arns: $util.Output<PlaybookFunctions> }> = [],
) {
  const logs = new aws.cloudwatch.LogGroup('PlaybookLogs', {
    name: `/aws/vendedlogs/states/tourniquet-${$app.stage}`,
    retentionInDays: 365,
  });
  const role = serviceRole('PlaybooksRole', 'playbooks', 'states.amazonaws.com');
  new aws.iam.RolePolicy('PlaybooksPolicy', {
    role: role.id,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Invoke',
          Effect: 'Allow',
          Action: ['lambda:InvokeFunction'],
          Resource: functionArns,
        },
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          Resource: ['*'],
          Condition: { StringEquals: { 'aws:RequestedRegion': aws.getRegionOutput().name } },
        },
        {
          Sid: 'Tracing',
          Effect: 'Allow',
          Action: [
            'xray:PutTraceSegments',
            'xray:PutTelemetryRecords',
            'xray:GetSamplingRules',
            'xray:GetSamplingTargets',
          ],
          Resource: ['*'],
          Condition: { StringEquals: { 'aws:RequestedRegion': aws.getRegionOutput().name } },
        },
      ],
    }),
  });
  const machines = {} as Record<StateMachineName, aws.sfn.StateMachine>;
  const sets = [{ key: '', arns }, ...variants];
  for (const set of sets)
    for (const name of STATE_MACHINE_NAMES) {
      const id = name.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase());
      const key = set.key ? `${name}-${set.key}` : name;
      (machines as Record<string, aws.sfn.StateMachine>)[key] = new aws.sfn.StateMachine(
        `${id}Playbook${set.key.toUpperCase()}`,
        {
          name: `tourniquet-${$app.stage}-${key}`,
          type: 'STANDARD',
          roleArn: role.arn,
          definition: set.arns.apply((f) =>
            JSON.stringify(playbookDefinition(name, f, { approvalTimeoutSeconds })),
          ),
          // Events only, never their data: the approval Task's parameters carry its task token.
          loggingConfiguration: {
            level: 'ALL',
            includeExecutionData: false,
            logDestination: $interpolate`${logs.arn}:*`,
          },
          tracingConfiguration: { enabled: true },
        },
      );
    }
  return machines;
}
