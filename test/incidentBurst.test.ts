import { createPlanner, MemoryIncidentStore, parseConfig, triage } from '@tourniquet/core';
import { IncidentRecordingStarter } from '@tourniquet/tickets';
import { describe, expect, it } from 'vitest';
import { loadEvent } from './helpers/events';
import { OncePerIncidentStarter } from './helpers/oncePerIncidentStarter';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The incident store with a DynamoDB-like delay on every call (5–15 ms), so concurrent writers
 * really interleave between their read and their conditional write.
 */
class DelayedIncidentStore extends MemoryIncidentStore {
  override async head(key: string) {
    await pause(5 + Math.random() * 10);
    return super.head(key);
  }
  override async append(...args: Parameters<MemoryIncidentStore['append']>) {
    await pause(5 + Math.random() * 10);
    return super.append(...args);
  }
}

describe('Incident recording under a burst on one pod', () => {
  it('100 findings at once on one incident: none fails, each is recorded once, one execution', async () => {
    const store = new DelayedIncidentStore();
    const stepFunctions = new OncePerIncidentStarter(20);
    const starter = new IncidentRecordingStarter(stepFunctions, {
      store,
      actor: 'triage',
    });
    const planner = createPlanner(parseConfig({}));
    const event = loadEvent('guardduty/runtime-reverse-shell-payments.json');
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        triage(
          {
            ...event,
            id: `burst-${i}`,
            detail: { ...event.detail, service: { ...event.detail.service, count: i + 1 } },
          },
          planner,
          starter,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const [head] = await store.list();
    expect(head?.executions).toHaveLength(1);
    expect(head?.executions[0]?.joined).toBe(99);
    const [finding] = Object.values(head?.findings ?? {});
    expect(finding?.deliveries).toBe(100);
    expect(finding?.count).toBe(100);
    // The first finding claims the execution with its own record; the others join it.
    expect(stepFunctions.calls).toBe(1);
    expect(
      results.filter((r) => r.status === 'fulfilled' && r.value.execution?.status === 'started'),
    ).toHaveLength(1);
  });
});
