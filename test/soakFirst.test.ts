import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';
import { SOAK } from './helpers/soakFirst';

describe('test order', () => {
  it('every file the soak tier starts first exists (a renamed one would start last again)', () => {
    expect(SOAK.filter((file) => !existsSync(join(REPO_ROOT, file)))).toEqual([]);
  });
});
