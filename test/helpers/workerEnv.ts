import { join } from 'node:path';
import { useMotoTemplates } from '@tourniquet/testkit';
import { afterAll, inject } from 'vitest';

// A worker runs many files in one process (isolate: false in vitest.config.ts): whatever a file
// sets in the environment is undone after it, so the next file starts from the same one.
const environment = { ...process.env };
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
});

// CLI replays in tests keep their incidents out of the working tree, in the run's own folder
// and one file per worker, so files running side by side never share an incidents file.
process.env.TOURNIQUET_INCIDENTS = join(
  inject('runDir'),
  `incidents-${process.env.VITEST_POOL_ID ?? '1'}.json`,
);

// Worlds and moto servers are copies of templates kept by the worker (motoTemplates.ts): moto
// is imported once per kind and a scenario seeded once, not once per test.
useMotoTemplates();
