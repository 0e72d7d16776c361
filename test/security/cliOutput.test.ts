import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/events';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'packages/cli/bin/tourniquet.mjs'), ...args],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI output an attacker can write into', { timeout: 180_000 }, () => {
  it('an event file carrying terminal escape sequences cannot drive the terminal through the JSON error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-escape-'));
    // OSC 0 retitles the terminal, CSI 31m colours what follows; both invalid JSON at column 9.
    writeFileSync(join(dir, 'event.json'), '{\n  "id": \u001b]0;pwned\u0007\u001b[31mx\n}\n');
    const { code, stdout, stderr } = await cli(['plan', join(dir, 'event.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('not JSON (line 2, column 9)');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the attack is control characters
    expect(`${stdout}${stderr}`).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
