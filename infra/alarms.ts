import type { StateMachineName } from '@tourniquet/core';
import { ASYNC_FUNCTIONS, type FunctionName } from './permissions';

const camel = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase());

/**
 * Nothing fails silently: an alarm, to one SNS topic, on every function's errors, on failed
 * deliveries of asynchronous failures to the dead-letter queue, on events waiting in that queue
 * and on escalated playbooks.
 */
export function alarms(
  dlq: aws.sqs.Queue,
  machines: Record<StateMachineName, aws.sfn.StateMachine>,
  functions: Partial<Record<FunctionName, aws.lambda.Function>>,
  email: string | null,
) {
  const topic = new aws.sns.Topic('Alarms', { name: `tourniquet-${$app.stage}-alarms` });
  if (email)
    new aws.sns.TopicSubscription('AlarmsEmail', {
      topic: topic.arn,
      protocol: 'email',
      endpoint: email,
    });
  // Any one occurrence in a minute is worth a look: these count failures, not load.
  const anyIn = (
    id: string,
    args: Pick<
      aws.cloudwatch.MetricAlarmArgs,
      'name' | 'alarmDescription' | 'namespace' | 'metricName' | 'dimensions' | 'statistic'
    >,
  ) =>
    new aws.cloudwatch.MetricAlarm(id, {
      ...args,
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [topic.arn],
    });
  anyIn('DeadLetters', {
    name: `tourniquet-${$app.stage}-dead-letters`,
    alarmDescription: 'Security events failed triage and wait in the dead-letter queue.',
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: dlq.name },
    statistic: 'Maximum',
  });
  for (const [name, machine] of Object.entries(machines)) {
    anyIn(`Escalations-${name}`, {
      name: `tourniquet-${$app.stage}-${name}-escalated`,
      alarmDescription: `A ${name} playbook failed and escalated.`,
      namespace: 'AWS/States',
      metricName: 'ExecutionsFailed',
      dimensions: { StateMachineArn: machine.arn },
      statistic: 'Sum',
    });
  }
  for (const [name, fn] of Object.entries(functions) as Array<
    [FunctionName, aws.lambda.Function]
  >) {
    anyIn(`Errors${camel(name)}`, {
      name: `tourniquet-${$app.stage}-${name}-errors`,
      alarmDescription: `The ${name} function failed (an exception, a timeout or a runtime error).`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: fn.name },
      statistic: 'Sum',
    });
    if ((ASYNC_FUNCTIONS as readonly FunctionName[]).includes(name)) {
      anyIn(`DeliveryFailures${camel(name)}`, {
        name: `tourniquet-${$app.stage}-${name}-delivery-failures`,
        alarmDescription: `Lambda could not deliver a failed ${name} invocation to the dead-letter queue: the event is lost.`,
        namespace: 'AWS/Lambda',
        metricName: 'DestinationDeliveryFailures',
        dimensions: { FunctionName: fn.name },
        statistic: 'Sum',
      });
    }
  }
  return topic;
}
