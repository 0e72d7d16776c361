import { spawnSync } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { motoPython } from '../src/emulators/motoPython';

describe('the Python that runs moto', () => {
  it('a python3 that imports moto is used by its own path, not looked up (and shimmed) each start', async () => {
    const python = await motoPython({ python: 'python3', venvDir: '/nonexistent/venv' });
    expect(isAbsolute(python)).toBe(true);
    const run = spawnSync(python, ['-c', 'import sys, moto; print(sys.executable)'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(python);
  });
});
