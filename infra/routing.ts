import { ROUTING_RULES } from '@tourniquet/core';

/**
 * The EventBridge rules of core (the patterns the routing tests prove by delivery) on the
 * default bus, each targeting triage with a retry policy and a dead-letter queue that only
 * these rules may write to.
 */
export function routing(triage: aws.lambda.Function) {
  const dlq = new aws.sqs.Queue('TriageDeadLetters', {
    name: `tourniquet-${$app.stage}-triage-dlq`,
    messageRetentionSeconds: 14 * 24 * 3600,
    sqsManagedSseEnabled: true,
  });
  const rules = ROUTING_RULES.map((rule) => {
    const id = rule.name.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase());
    const eventRule = new aws.cloudwatch.EventRule(`${id}Rule`, {
      name: `tourniquet-${$app.stage}-${rule.name}`,
      description: rule.description,
      eventPattern: JSON.stringify(rule.pattern),
      state: rule.state,
    });
    new aws.cloudwatch.EventTarget(`${id}Target`, {
      rule: eventRule.name,
      arn: triage.arn,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
      deadLetterConfig: { arn: dlq.arn },
    });
    new aws.lambda.Permission(`${id}Invoke`, {
      function: triage.name,
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      sourceArn: eventRule.arn,
    });
    return eventRule;
  });
  new aws.sqs.QueuePolicy('TriageDeadLettersPolicy', {
    queueUrl: dlq.url,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OnlyTourniquetRules',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: dlq.arn,
          Condition: { ArnEquals: { 'aws:SourceArn': rules.map((r) => r.arn) } },
        },
      ],
    }),
  });
  // Triage's own failures (thrown for events it rejects) go to the same queue.
  new aws.lambda.FunctionEventInvokeConfig('TriageAsyncFailures', {
    functionName: triage.name,
    maximumRetryAttempts: 2,
    destinationConfig: { onFailure: { destination: dlq.arn } },
  });
  return { dlq, rules };
}
