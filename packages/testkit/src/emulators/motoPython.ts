import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MotoUnavailableError } from './motoErrors';

/** The moto every run uses; the project venv is rebuilt when this changes. */
export const MOTO_REQUIREMENT = 'moto[server]==5.2.1';

/** `.tourniquet/venv` at the repository root (gitignored), unless $TOURNIQUET_MOTO_VENV names another. */
export function projectVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.TOURNIQUET_MOTO_VENV?.trim();
  if (configured) return resolve(configured);
  return join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    '..',
    '.tourniquet',
    'venv',
  );
}

const READY_MARKER = 'tourniquet-ready';

/**
 * Runs in the base Python. The lock is the kernel's (flock): it is released when the holder
 * dies, however it dies, so a crashed install never leaves a stale lock behind; the marker is
 * written last, so a venv without it is a partial one and is rebuilt from scratch.
 */
const PROVISION = `
import fcntl, os, shutil, subprocess, sys
os.dup2(2, 1)  # pip and ensurepip report on stdout; everything is progress here
target, requirement = sys.argv[1], sys.argv[2]
def say(message):
    print('moto: ' + message, file=sys.stderr, flush=True)
APT = 'this Python cannot create virtual environments (%s); install its venv module (Debian, Ubuntu: apt install python3-venv)'
try:
    import ensurepip, venv
except ImportError as error:
    say(APT % error)
    sys.exit(3)
python = os.path.join(target, 'bin', 'python')
marker = os.path.join(target, '${READY_MARKER}')
def ready():
    try:
        with open(marker) as f:
            return f.read().strip() == requirement and os.path.exists(python)
    except OSError:
        return False
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target + '.lock', 'a') as lock:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say('waiting for another process installing moto into ' + target)
        fcntl.flock(lock, fcntl.LOCK_EX)
    if ready():
        sys.exit(0)
    say('moto is not installed for ' + sys.executable + '; installing ' + requirement + ' into ' + target + ' (first use only)')
    shutil.rmtree(target, ignore_errors=True)
    try:
        venv.EnvBuilder(with_pip=True, symlinks=True).create(target)
    except subprocess.CalledProcessError as error:
        shutil.rmtree(target, ignore_errors=True)
        say(APT % ('ensurepip exited with code %d' % error.returncode))
        sys.exit(3)
    code = subprocess.call([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', requirement])
    if code != 0:
        say('pip could not install %s (exit code %d); pip reads its index from PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST or pip.conf' % (requirement, code))
        sys.exit(4)
    with open(marker, 'w') as f:
        f.write(requirement + '\\n')
    say('moto installed in ' + target)
`;

/**
 * Exits 0 when this Python can import moto, printing the interpreter's own path: moto is then
 * started with that path, not through PATH and whatever shims it holds (pyenv's cost a few
 * tenths of a second of CPU on every start).
 */
const HAS_MOTO =
  "import importlib.util, sys; found = importlib.util.find_spec('moto'); print(sys.executable if found else ''); sys.exit(0 if found else 1)";

export interface MotoPythonOptions {
  /** The Python to run moto with, or to build the venv from (default $MOTO_PYTHON, else python3). */
  python?: string;
  /** Where the project venv lives (default projectVenvDir()). */
  venvDir?: string;
  /** Environment of the Python and pip processes: pip's index settings come through here. */
  env?: NodeJS.ProcessEnv;
  /** Receives the installation's progress (default: this process's stderr). */
  progress?: (text: string) => void;
}

/**
 * The interpreter that runs moto: the project venv when it is ready, else the given Python
 * when it can import moto, else a project venv installed now with {@link MOTO_REQUIREMENT} from
 * whatever index pip is configured with. Python 3 with its venv module is the only prerequisite.
 */
export async function motoPython(options: MotoPythonOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const python = options.python ?? (env.MOTO_PYTHON?.trim() || 'python3');
  const venvDir = options.venvDir ?? projectVenvDir(env);
  const venvPython = join(venvDir, 'bin', 'python');
  if (isReady(venvDir, venvPython)) return venvPython;
  const probe = await run(python, ['-c', HAS_MOTO], env, () => {});
  if (probe.code === 0) return probe.stdout.trim() || python;
  if (probe.code !== 1) {
    throw new MotoUnavailableError(
      `${python} could not be run (exit code ${probe.code}):\n${probe.stderr}`,
    );
  }
  const progress = options.progress ?? ((text: string) => process.stderr.write(text));
  const install = await run(python, ['-c', PROVISION, venvDir, MOTO_REQUIREMENT], env, progress);
  if (install.code === 0 && isReady(venvDir, venvPython)) return venvPython;
  const reason = install.stderr
    .trim()
    .split('\n')
    .at(-1)
    ?.replace(/^moto: /, '');
  throw new MotoUnavailableError(
    install.code === 3 || install.code === 4
      ? `${reason}`
      : `installing ${MOTO_REQUIREMENT} into ${venvDir} failed (exit code ${install.code}):\n${install.stderr}`,
  );
}

function isReady(venvDir: string, venvPython: string): boolean {
  try {
    const pinned = readFileSync(join(venvDir, READY_MARKER), 'utf8').trim();
    return pinned === MOTO_REQUIREMENT && existsSync(venvPython);
  } catch {
    return false;
  }
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  progress: (text: string) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-4000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      progress(text);
      stderr = (stderr + text).slice(-4000);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new MotoUnavailableError(
              `${command} was not found on PATH: moto, the local AWS, needs Python 3 with its venv module (Debian, Ubuntu: apt install python3 python3-venv; or set $MOTO_PYTHON to a Python 3)`,
              { cause: error },
            )
          : error,
      );
    });
    child.once('close', (code, signal) =>
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
  });
}
