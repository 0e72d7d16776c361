import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto } from '@tourniquet/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One moto endpoint per worker: worker N (VITEST_POOL_ID) uses entry N - 1. */
    motoEndpoints: string[];
    /** A folder for this run only (removed after it). */
    runDir: string;
  }
}

/**
 * Global setup: one moto server per test worker for the whole run, instead of one per test
 * file (starting moto costs seconds of CPU). A worker runs one file at a time, so a file has its
 * worker's server to itself; `useMoto` resets it before the file starts.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = mkdtempSync(join(tmpdir(), 'tourniquet-tests-'));
  const workers = Math.max(1, project.config.maxWorkers);
  // Side by side, with the hook's patience rather than the CLI's: on a loaded machine moto's
  // start-up (importing moto) takes tens of seconds of CPU, and the whole run needs them.
  const started = await Promise.allSettled(
    Array.from({ length: workers }, () => startMoto({ readyTimeoutMs: 120_000 })),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failure.reason;
  }
  project.provide('runDir', runDir);
  project.provide(
    'motoEndpoints',
    servers.map((s) => s.endpoint),
  );
  return async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(runDir, { recursive: true, force: true });
  };
}
