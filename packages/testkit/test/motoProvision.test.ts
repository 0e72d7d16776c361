import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tourniquet/core/testkit';
import { MOTO_REQUIREMENT, MotoUnavailableError, motoPython, startMoto } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildFakeMotoWheel,
  FAKE_MOTO_ANSWER,
  type LoopbackIndex,
  pythonWithoutMoto,
  startLoopbackIndex,
} from './helpers/fakeMotoIndex';

const INSTALL_TIMEOUT_MS = 300_000;

let dir: string;
let index: LoopbackIndex;
let bareBin: string;
const venvDir = (): string => join(dir, 'project', '.tourniquet', 'venv');

/** This machine's environment minus every pip and Python setting, pointed at the loopback index. */
function freshMachineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('PIP_') &&
        !['PYTHONPATH', 'MOTO_PYTHON', 'MOTO_SERVER', 'TOURNIQUET_MOTO_VENV'].includes(name),
    ),
  );
  return {
    ...env,
    PATH: `${bareBin}:${process.env.PATH}`,
    // No pip.conf (this machine's points at local wheel folders) and no cache: only the index.
    PIP_CONFIG_FILE: devNull,
    PIP_NO_CACHE_DIR: '1',
    PIP_INDEX_URL: index.url,
  };
}

/** Holds the venv's install lock, as a process installing moto would, until released. */
function holdInstallLock(): Promise<ChildProcess> {
  mkdirSync(join(dir, 'project', '.tourniquet'), { recursive: true });
  const holder = spawn(
    'python3',
    [
      '-c',
      "import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
      `${venvDir()}.lock`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return new Promise((resolve) => holder.stdout.once('data', () => resolve(holder)));
}

async function answer(endpoint: string): Promise<string> {
  for (;;) {
    try {
      return await (await fetch(endpoint, { signal: AbortSignal.timeout(1000) })).text();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-moto-venv-'));
  index = await startLoopbackIndex(buildFakeMotoWheel(dir));
  bareBin = pythonWithoutMoto(join(dir, 'python-without-moto'));
});

afterAll(async () => {
  await index?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('moto on a machine whose python3 cannot import it', () => {
  it(
    'two processes installing at once build one project venv with the pinned moto from the index pip is configured with',
    async () => {
      const env = freshMachineEnv();
      const holder = await holdInstallLock();
      const progress = ['', ''];
      const installs = progress.map((_, i) =>
        motoPython({
          venvDir: venvDir(),
          env,
          progress: (text) => {
            progress[i] += text;
          },
        }),
      );
      // Both are inside the installer, blocked on the lock: neither can have seen the other's venv.
      await vi.waitFor(
        () => {
          for (const text of progress) expect(text).toContain('waiting for another process');
        },
        { timeout: 60_000, interval: 50 },
      );
      holder.stdin?.end();
      const pythons = await Promise.all(installs);

      expect(pythons).toEqual([join(venvDir(), 'bin', 'python'), join(venvDir(), 'bin', 'python')]);
      const all = progress.join('');
      expect(all.split(`installing ${MOTO_REQUIREMENT} into ${venvDir()}`)).toHaveLength(2);
      expect(all).toContain(`moto installed in ${venvDir()}`);
      expect(index.requests).toContain('/simple/moto/');
      expect(index.requests.filter((path) => path.startsWith('/files/'))).toEqual([
        '/files/moto-5.2.1-py3-none-any.whl',
      ]);
      expect(readFileSync(join(venvDir(), 'tourniquet-ready'), 'utf8').trim()).toBe(
        MOTO_REQUIREMENT,
      );

      // Once ready, the venv is used as it is: nothing printed, nothing asked of the index.
      const asked = index.requests.length;
      let later = '';
      await expect(
        motoPython({ venvDir: venvDir(), env, progress: (text) => (later += text) }),
      ).resolves.toBe(join(venvDir(), 'bin', 'python'));
      expect(later).toBe('');
      expect(index.requests).toHaveLength(asked);
    },
    INSTALL_TIMEOUT_MS,
  );

  it("the venv's moto_server starts and answers", async () => {
    const port = await freePort();
    const server = spawn(
      join(venvDir(), 'bin', 'moto_server'),
      ['-H', '127.0.0.1', '-p', String(port)],
      { stdio: 'ignore' },
    );
    try {
      expect(await answer(`http://127.0.0.1:${port}/moto-api/`)).toBe(FAKE_MOTO_ANSWER);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it("startMoto runs the project venv's moto", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, freshMachineEnv(), { TOURNIQUET_MOTO_VENV: venvDir() });
    try {
      const moto = await startMoto();
      try {
        expect(await answer(`${moto.endpoint}/moto-api/`)).toBe(FAKE_MOTO_ANSWER);
      } finally {
        await moto.stop();
      }
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('without python3 the error names Python 3 as the prerequisite', async () => {
    const empty = join(dir, 'empty-bin');
    mkdirSync(empty);
    await expect(motoPython({ venvDir: join(dir, 'never'), env: { PATH: empty } })).rejects.toThrow(
      new MotoUnavailableError(
        'python3 was not found on PATH: moto, the local AWS, needs Python 3 with its venv module (Debian, Ubuntu: apt install python3 python3-venv; or set $MOTO_PYTHON to a Python 3)',
      ),
    );
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('a Python without its venv module gets the package to install', async () => {
    const bin = pythonWithoutMoto(join(dir, 'python-without-venv'), { hideEnsurepip: true });
    const target = join(dir, 'no-venv', 'venv');
    const failure = motoPython({
      venvDir: target,
      env: { ...freshMachineEnv(), MOTO_PYTHON: join(bin, 'python3') },
      progress: () => {},
    });
    await expect(failure).rejects.toBeInstanceOf(MotoUnavailableError);
    await expect(failure).rejects.toThrow(
      /^this Python cannot create virtual environments \(.*ensurepip.*\); install its venv module \(Debian, Ubuntu: apt install python3-venv\)$/,
    );
    expect(existsSync(target)).toBe(false);
  });
});
