import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoCapacityLedger } from '@tourniquet/aws';
import {
  type CapacityLedger,
  createPlanner,
  MemoryCapacityLedger,
  type PlaybookStarter,
  parseConfig,
  triage,
} from '@tourniquet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, REPO_ROOT } from './helpers/events';
import { useMoto } from './helpers/moto';

const base = JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'));
const planner = createPlanner(
  parseConfig({ ...base, blastRadius: { maxPodsPerHour: 3, maxNodesPerHour: 1 } }),
);
const at = new Date('2026-11-23T12:10:00Z');

/** Starts nothing; records what it was asked to start. */
function recordingStarter(): PlaybookStarter & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    async start(plan) {
      started.push(`${plan.playbook}:${plan.incidentKey}`);
      return { status: 'started', executionName: plan.incidentKey, executionArn: null };
    },
  };
}

/** The reverse-shell finding on pod number i (distinct pods of the same cluster). */
function podFinding(i: number) {
  const event = loadEvent('guardduty/runtime-reverse-shell-payments.json');
  event.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name = `payments-api-${i}`;
  return event;
}

async function burst(ledger: CapacityLedger) {
  const starter = recordingStarter();
  const results = [];
  for (const i of [1, 2, 1, 3, 4, 2, 5])
    results.push(await triage(podFinding(i), planner, starter, at, ledger));
  return { results, starter };
}

function expectCapped(results: Awaited<ReturnType<typeof burst>>['results']) {
  expect(results.map((r) => r.capped)).toEqual([false, false, false, false, true, false, true]);
  const capped = results[4]?.plan;
  expect(capped?.playbook).toBe('ticket-only');
  expect(capped?.steps.map((s) => s.action)).toEqual(['open-ticket']);
  expect(capped?.reason).toMatch(
    /blast-radius cap: 3 pods of cluster prod-eks-01 already contained this hour/,
  );
  expect(capped?.skipped.map((s) => s.action)).toContain('isolate-pod');
}

describe('Blast radius', () => {
  it('admits the first N pods of a cluster per hour; repeats cost nothing; beyond, a ticket and a page', async () => {
    expectCapped((await burst(new MemoryCapacityLedger())).results);
  });

  it('a new hour has a new budget; other clusters have their own', async () => {
    const ledger = new MemoryCapacityLedger();
    await burst(ledger);
    const next = await triage(
      podFinding(9),
      planner,
      recordingStarter(),
      new Date('2026-11-23T13:00:00Z'),
      ledger,
    );
    expect(next.capped).toBe(false);
    const staging = await triage(
      loadEvent('guardduty/runtime-reverse-shell-staging-payments.json'),
      planner,
      recordingStarter(),
      at,
      ledger,
    );
    expect(staging.capped).toBe(false);
  });

  it('sample (dry-run) findings and ticket-only plans do not draw on the budget', async () => {
    const ledger = new MemoryCapacityLedger();
    for (let i = 0; i < 5; i++) {
      const sample = podFinding(100 + i);
      sample.detail.service.additionalInfo.sample = true;
      expect((await triage(sample, planner, recordingStarter(), at, ledger)).capped).toBe(false);
    }
    expect((await triage(podFinding(1), planner, recordingStarter(), at, ledger)).capped).toBe(
      false,
    );
  });

  describe('in DynamoDB (moto)', () => {
    const moto = useMoto();
    let ledger: DynamoCapacityLedger;
    beforeAll(async () => {
      const client = new DynamoDBClient(moto());
      await client.send(
        new CreateTableCommand({
          TableName: 'idempotency',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        }),
      );
      ledger = new DynamoCapacityLedger(client, 'idempotency');
    });

    it('the same cap holds with conditional writes', async () => {
      expectCapped((await burst(ledger)).results);
    });

    it('a finding on an incident already admitted reads one small item and writes nothing', async () => {
      const client = new DynamoDBClient(moto());
      const sent: string[] = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push(context.commandName ?? '');
          return next(args);
        },
        { step: 'initialize', name: 'recordCommands' },
      );
      const counted = new DynamoCapacityLedger(client, 'idempotency');
      expect(await counted.admit('repeat', 'incident-a', 5, 1000)).toBe(true);
      expect(sent).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
      sent.length = 0;
      for (let i = 0; i < 3; i++)
        expect(await counted.admit('repeat', 'incident-a', 5, 1000)).toBe(true);
      expect(sent).toEqual(['GetItemCommand', 'GetItemCommand', 'GetItemCommand']);
      // The budget item is a count: it does not grow with the incidents admitted.
      for (const key of ['incident-b', 'incident-c'])
        expect(await counted.admit('repeat', key, 5, 1000)).toBe(true);
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: 'idempotency',
          Key: { id: { S: 'blast-radius#repeat#1000' } },
        }),
      );
      expect(Object.keys(Item ?? {}).sort()).toEqual(['admitted', 'expiration', 'id']);
      expect(Item?.admitted).toEqual({ N: '3' });
    });

    it('the first findings of one incident racing each other admit it once and count it once', async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => ledger.admit('same', 'incident-x', 2, 1001)),
      );
      expect(answers).toEqual(Array(10).fill(true));
      expect(await ledger.admit('same', 'incident-y', 2, 1001)).toBe(true);
      expect(await ledger.admit('same', 'incident-z', 2, 1001)).toBe(false);
    });

    it('racing admissions never exceed the cap', async () => {
      const window = 999;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ledger.admit('race', `incident-${i}`, 5, window)),
      );
      expect(answers.filter(Boolean)).toHaveLength(5);
    });
  });
});
