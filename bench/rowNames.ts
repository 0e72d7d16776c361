import { basename } from 'node:path';

/**
 * Names of the benchmark rows other tools and the README read. They are fixed: a renamed row
 * would silently drop out of any comparison across runs.
 */
export const ROW = {
  bundle: (fn: string) => `bundle ${fn}`,
  zip: (fn: string) => `zip ${fn}`,
  coldInit: (fn: string) => `cold init ${fn}`,
  coldInitOverFloor: (fn: string) => `cold init ${fn} / floor`,
  coldInitOverStackFloor: (fn: string) => `cold init ${fn} / stack floor`,
  isolateTripsCold: 'isolate-pod trips cold',
  isolateTripsWarm: 'isolate-pod trips warm',
  isolateApplyOverBackToBack: 'isolate-pod apply / back-to-back',
  planEventsPerSecond: 'plan events/s',
  burstWritesPerFinding: 'burst writes per finding',
  burstReadsPerFinding: 'burst reads per finding',
  burstFailures: 'burst failures',
  burstStartExecutionPerFinding: 'burst StartExecution per finding',
  loadFindingsPerSecond: 'load findings/s',
  loadFailures: 'load failures',
  conflictFailures: 'conflict failures',
  conflictFindingsPerSecond: 'conflict findings/s',
} as const;

/** A function's name in the rows: its entry file's name (`functions/actions/isolatePod.ts` → `isolatePod`). */
export function functionRowName(entry: string): string {
  return basename(entry).replace(/\.ts$/, '');
}
