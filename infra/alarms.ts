import type { StateMachineName } from '@tourniquet/core';

/** Alarms on events nobody processed (DLQ depth) and on escalated playbooks. */
export function alarms(
  dlq: aws.sqs.Queue,
  machines: Record<StateMachineName, aws.sfn.StateMachine>,
  email: string | null,
) {
  const topic = new aws.sns.Topic('Alarms', { name: `tourniquet-${$app.stage}-alarms` });
  if (email)
    new aws.sns.TopicSubscription('AlarmsEmail', {
      topic: topic.arn,
      protocol: 'email',
      endpoint: email,
    });
  new aws.cloudwatch.MetricAlarm('DeadLetters', {
    name: `tourniquet-${$app.stage}-dead-letters`,
    alarmDescription: 'Security events failed triage and wait in the dead-letter queue.',
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: dlq.name },
    statistic: 'Maximum',
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [topic.arn],
  });
  for (const [name, machine] of Object.entries(machines)) {
    new aws.cloudwatch.MetricAlarm(`Escalations-${name}`, {
      name: `tourniquet-${$app.stage}-${name}-escalated`,
      alarmDescription: `A ${name} playbook failed and escalated.`,
      namespace: 'AWS/States',
      metricName: 'ExecutionsFailed',
      dimensions: { StateMachineArn: machine.arn },
      statistic: 'Sum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [topic.arn],
    });
  }
  return topic;
}
