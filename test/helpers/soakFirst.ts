import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The soak tier: files that take tens of seconds each (whole replays, fault runs, CLI processes,
 * bursts through moto), heaviest first. Started before everything else, so that none of them
 * begins near the end of the run while the other worker has nothing left to do. vitest orders by
 * the last run's durations when its cache has them; a fresh clone (CI) has none, and vitest would
 * order by file size, which says little about time.
 */
export const SOAK = [
  'test/faultsHeavy.test.ts',
  'test/faults.test.ts',
  'packages/cli/test/cliProcess.test.ts',
  'test/incidentStoreWrites.test.ts',
  'test/replay.test.ts',
  'test/playbooks.test.ts',
  'test/load.test.ts',
  'test/replayNotIsolated.test.ts',
  'test/security/slackRelease.test.ts',
  'test/replayPrivateEndpoint.test.ts',
  'test/incidentHotKey.test.ts',
  'test/ticketService.test.ts',
  'test/replayScenarioConfig.test.ts',
];

function soakRank(spec: TestSpecification): number {
  const rank = SOAK.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
  return rank === -1 ? SOAK.length : rank;
}

export default class SoakFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return sorted.sort((a, b) => soakRank(a) - soakRank(b));
  }
}
