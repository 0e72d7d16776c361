import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MotoServer, startMoto } from '@tourniquet/testkit';
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
  // One after the other, with the hook's patience rather than the CLI's: on a loaded machine
  // moto's start-up (importing moto) takes tens of seconds of CPU, and the whole run needs them.
  const servers: MotoServer[] = [];
  try {
    for (let i = 0; i < workers; i++) servers.push(await startMoto({ readyTimeoutMs: 120_000 }));
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
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
