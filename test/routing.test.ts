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
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ROUTING_RULES } from '@tourniquet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { allEventFiles, EVENTS_DIR, eventCatalogue } from './helpers/events';
import { useMoto } from './helpers/moto';

/**
 * Proves the routing patterns by real delivery through moto's EventBridge: one SQS queue per rule,
 * every sample put on the default bus, and the queues tell which rule delivered which event.
 */
describe('Routing patterns (EventBridge → SQS in moto)', () => {
  const moto = useMoto();
  const delivered = new Map<string, Set<string>>(); // event id → rule names

  beforeAll(async () => {
    const aws = moto();
    const events = new EventBridgeClient(aws);
    const sqs = new SQSClient(aws);
    const queues = new Map<string, string>();
    for (const rule of ROUTING_RULES) {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: `route-${rule.name}` }),
      );
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
        new PutTargetsCommand({
          Rule: rule.name,
          Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
        }),
      );
      queues.set(rule.name, QueueUrl as string);
    }

    // PutEvents assigns new event ids, so each entry carries its file name in a detail field
    // that no pattern looks at.
    const entries = allEventFiles().map((file) => {
      const event = JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8'));
      return {
        Source: event.source,
        DetailType: event['detail-type'],
        Detail: JSON.stringify({ ...event.detail, tourniquetSampleFile: file }),
        Resources: event.resources,
        Time: new Date(event.time),
      };
    });
    for (let i = 0; i < entries.length; i += 10) {
      const result = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      expect(result.FailedEntryCount ?? 0).toBe(0);
    }

    for (const [rule, url] of queues) {
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          const file = JSON.parse(message.Body as string).detail.tourniquetSampleFile as string;
          if (!delivered.has(file)) delivered.set(file, new Set());
          delivered.get(file)?.add(rule);
        }
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: Messages.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
  });

  const rows = eventCatalogue();

  it('the catalogue lists every sample file exactly once', () => {
    expect(rows.map((r) => r.file).sort()).toEqual(allEventFiles());
  });

  it.each(rows.map((r) => [r.file, r.routedBy] as const))(
    '%s reaches exactly %j',
    (file, rules) => {
      expect([...(delivered.get(file) ?? [])].sort()).toEqual([...rules].sort());
    },
  );

  it('negative samples reach no rule', () => {
    const negatives = rows.filter((r) => r.file.startsWith('negative/'));
    expect(negatives.length).toBeGreaterThanOrEqual(5);
    for (const row of negatives) expect(delivered.get(row.file)).toBeUndefined();
  });
});
