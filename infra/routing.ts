import { ROUTING_RULES, stageResourceNames } from '@tourniquet/core';
import { ASYNC_FUNCTIONS, type FunctionName } from './permissions';

/**
 * Where security events nobody could process end up: EventBridge's deliveries that ran out of
 * retries, and the asynchronous invocations of ASYNC_FUNCTIONS that failed every attempt. Made
 * before the functions, whose roles name it (sqs:SendMessage on this queue only).
 */
export function deadLetterQueue() {
  return new aws.sqs.Queue('TriageDeadLetters', {
    name: stageResourceNames.deadLetterQueue($app.stage),
    messageRetentionSeconds: 14 * 24 * 3600,
    sqsManagedSseEnabled: true,
  });
}

/**
 * The EventBridge rules of core (the patterns the routing tests prove by delivery) on the
 * default bus, each targeting triage with a retry policy and the dead-letter queue, which only
 * these rules may write to as EventBridge; the asynchronous functions' failures go to the same
 * queue through their own roles.
 */
export function routing(
  functions: Record<(typeof ASYNC_FUNCTIONS)[number], aws.lambda.Function>,
  dlq: aws.sqs.Queue,
) {
  const triage = functions.triage;
  const rules = ROUTING_RULES.map((rule) => {
    const id = rule.name.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase());
    const eventRule = new aws.cloudwatch.EventRule(`${id}Rule`, {
      name: stageResourceNames.rule($app.stage, rule),
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
  // A function's own failures (triage throws for events it rejects) go to the same queue.
  for (const name of ASYNC_FUNCTIONS as readonly FunctionName[]) {
    const fn = functions[name as (typeof ASYNC_FUNCTIONS)[number]];
    const id = name.replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase());
    new aws.lambda.FunctionEventInvokeConfig(`${id}AsyncFailures`, {
      functionName: fn.name,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { destination: dlq.arn } },
    });
  }
  return { dlq, rules };
}
