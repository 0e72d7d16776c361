import { describe, expect, it } from 'vitest';
import { loadRun } from './helpers/loadRun';

/** The short variant of the load run (`npm run bench` runs 10,000 findings over 500 pods), through the DynamoDB incident store on moto. */
describe('Load: a burst of findings over many pods through triage', () => {
  // 20 pods over the cap of 15 and 12 findings per pod: the 48 in flight span four pods, each
  // pod's findings racing on its incident and the ledger as the bench's 10,000 do, at a quarter
  // of the moto requests (moto serves one at a time).
  it('240 findings over 20 pods, 48 in flight: one incident and one execution per pod, the cap respected and paged', {
    timeout: 600_000,
  }, async () => {
    const run = await loadRun({ findings: 240, pods: 20, maxPodsPerHour: 15, concurrency: 48 });
    expect(run.incidents).toBe(20);
    expect(run.executionsByPlaybook['contain-pod']).toBe(15);
    expect(run.executionsByPlaybook['ticket-only']).toBe(5);
    expect(run.capped).toBe(5);
    for (const result of run.results.filter((r) => r.capped)) {
      expect(result.plan.reason).toMatch(/blast-radius cap: 15 pods/);
    }
    // A pod's later findings never start work: every execution came from its first finding.
    const started = run.results.filter((r) => r.execution?.status === 'started');
    expect(started).toHaveLength(20);
    // Every finding is on its incident's record: nothing lost under the burst.
    expect(run.storedIncidents).toBe(20);
    expect(run.failed).toBe(0);
    expect(run.recordedFindings).toBe(240);
  });
});
