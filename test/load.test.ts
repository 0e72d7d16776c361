import { describe, expect, it } from 'vitest';
import { loadRun } from './helpers/loadRun';

/** The short CI variant of the load run (`npm run bench` runs 10,000 findings over 500 pods), through the DynamoDB incident store on moto. */
describe('Load: a burst of findings over many pods through triage', () => {
  // Every request goes through moto, one at a time: minutes on a shared machine.
  it('1,000 findings over 50 pods: one incident and one execution per pod, the cap respected and paged', {
    timeout: 1_200_000,
  }, async () => {
    const run = await loadRun({ findings: 1000, pods: 50, maxPodsPerHour: 40 });
    expect(run.incidents).toBe(50);
    expect(run.executionsByPlaybook['contain-pod']).toBe(40);
    expect(run.executionsByPlaybook['ticket-only']).toBe(10);
    expect(run.capped).toBe(10);
    for (const result of run.results.filter((r) => r.capped)) {
      expect(result.plan.reason).toMatch(/blast-radius cap: 40 pods/);
    }
    // A pod's later findings never start work: every execution came from its first finding.
    const started = run.results.filter((r) => r.execution?.status === 'started');
    expect(started).toHaveLength(50);
    // Every finding is on its incident's record: nothing lost under the burst.
    expect(run.storedIncidents).toBe(50);
    expect(run.failed).toBe(0);
    expect(run.recordedFindings).toBe(1000);
  });
});
