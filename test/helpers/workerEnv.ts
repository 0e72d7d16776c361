import { join } from 'node:path';
import { inject } from 'vitest';

// CLI replays in tests keep their incidents out of the working tree, in the run's own folder
// and one file per worker, so files running side by side never share an incidents file.
process.env.TOURNIQUET_INCIDENTS = join(
  inject('runDir'),
  `incidents-${process.env.VITEST_POOL_ID ?? '1'}.json`,
);
