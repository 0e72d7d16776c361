import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ROUTING_RULES } from '@tourniquet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_DIR } from './helpers/events';
import { useMoto } from './helpers/moto';

/**
 * The irsa-session rule delivers only the calls that matter with stolen credentials, proven by
 * delivery through moto's EventBridge: the same IRSA session's CloudTrail event, with only its
 * event name changed, reaches triage or not.
 */
describe('cloudtrail-irsa-session routes the event names that matter, not routine reads', () => {
  const moto = useMoto();
  const delivered = new Set<string>();
  const NAMES = {
    routed: ['StartInstances', 'GetCallerIdentity', 'CreateAccessKey', 'StopLogging'],
    dropped: ['DescribeInstances', 'GetObject', 'Decrypt', 'ListClusters'],
  };

  beforeAll(async () => {
    const aws = moto();
    const events = new EventBridgeClient(aws);
    const sqs = new SQSClient(aws);
    const rule = ROUTING_RULES.find((r) => r.name === 'cloudtrail-irsa-session');
    if (!rule) throw new Error('no cloudtrail-irsa-session rule');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'irsa-session' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await events.send(
      new PutRuleCommand({
        Name: rule.name,
        EventPattern: JSON.stringify(rule.pattern),
        State: rule.state,
      }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: 'q', Arn: Attributes?.QueueArn }] }),
    );
    const sample = JSON.parse(
      readFileSync(
        join(EVENTS_DIR, 'cloudtrail', 'irsa-session-ec2-start-instances-outside.json'),
        'utf8',
      ),
    );
    const entries = [...NAMES.routed, ...NAMES.dropped].map((eventName) => ({
      Source: sample.source,
      DetailType: sample['detail-type'],
      Detail: JSON.stringify({ ...sample.detail, eventName }),
      Time: new Date(sample.time),
    }));
    const result = await events.send(new PutEventsCommand({ Entries: entries }));
    expect(result.FailedEntryCount ?? 0).toBe(0);
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages) delivered.add(JSON.parse(m.Body as string).detail.eventName);
    }
  });

  it('delivers the calls an attacker with stolen IRSA credentials makes', () => {
    expect([...delivered].sort()).toEqual([...NAMES.routed].sort());
  });

  it('leaves out the routine reads every IRSA workload makes all day', () => {
    for (const name of NAMES.dropped) expect(delivered.has(name)).toBe(false);
  });
});
