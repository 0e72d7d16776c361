import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@tourniquet/core/testkit';
import { MOTO_ACCOUNTS_PATCH } from './motoAccounts';
import { MotoNotCopyableError, MotoUnavailableError } from './motoErrors';
import { MOTO_DYNAMODB_PATCHES, MOTO_SERVER_PATCHES } from './motoPatches';
import { MOTO_REQUIREMENT, motoPython, projectVenvDir } from './motoPython';
import { templateFor } from './motoTemplates';

export interface MotoServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /**
   * Another moto on a copy of this one's state as it is now; afterwards the two share nothing.
   * Absent for a $MOTO_SERVER command, which is not this module's server.
   */
  fork?(): Promise<MotoServer>;
}

export { seededMoto, useMotoTemplates } from './motoTemplates';
export { MOTO_DYNAMODB_PATCHES, MotoUnavailableError };

const installHint = (): string =>
  `remove ${projectVenvDir()} to have it installed again, or install it with: pip install '${MOTO_REQUIREMENT}'`;

/**
 * moto's own server, with the changes below (the Python of the DynamoDB ones and of the lookups
 * is in motoPatches.ts).
 *
 * Requests are handled one at a time. moto's backends take no locks, so two concurrent
 * conditional writes to one DynamoDB item can both succeed — which real DynamoDB never allows,
 * and which the incident store, the approvals table and the blast-radius ledger rely on.
 * Connections are still accepted concurrently.
 *
 * A cancelled DynamoDB transaction is rolled back from copies of the items it names, where moto
 * deep-copies every table it names first (its time and memory then grow with the table: a
 * 10,000-finding run went past 12 GB). What a cancelled transaction leaves is the same.
 *
 * A Query on a table's own key reads only the partition it names, where moto gathers and sorts
 * every item of the table for each one (a 10,000-finding load slowed down with every item it
 * wrote). What a query answers, pages included, is the same (docs/decisions.md).
 *
 * Lookups moto repeats on every request are made once or directly: its list of service folders,
 * botocore's data files and service lists, an EC2 resource's tags, a response class's methods,
 * EventBridge's JSONPath parsers, a state machine definition already validated
 * (MOTO_SERVER_PATCHES). moto's default public AMIs are not loaded.
 *
 * `POST /_tourniquet/fork?port=N` copies the server, state and all, into a new process serving
 * port N (os.fork, between two requests) and answers the copy's pid. Importing moto and seeding a
 * scenario cost seconds of CPU; a copy costs milliseconds, and from then on the two servers share
 * nothing (see motoTemplates.ts). The copy reads the same stdin, so it ends with its parent too.
 */
const SERIALISED_MOTO = `
import os, signal, sys, threading
# moto gives every EC2 account and region about 1,200 public AMIs with their snapshots and volumes
# (a quarter of a second per backend); nothing here reads public images (docs/decisions.md).
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
from urllib.parse import parse_qs
import moto.server as server
# The parent holds the write end of stdin: end of file means it is gone, even when it was
# killed without a chance to stop us (SIGKILL), so moto never outlives it. os.read, not
# sys.stdin: a copy made while this thread waits must not inherit a held buffer lock.
def watch_parent():
    try:
        while os.read(0, 4096):
            pass
    finally:
        os._exit(0)
original = server.run_simple
def run_simple(host, port, app, **options):
    lock = threading.Lock()
    def serialised(environ, start_response):
        if environ.get("PATH_INFO") == "/_tourniquet/fork" and environ.get("REQUEST_METHOD") == "POST":
            with lock:
                copy_port = int(parse_qs(environ.get("QUERY_STRING", ""))["port"][0])
                pid = os.fork()
                if pid == 0:
                    serve_copy(environ, copy_port)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(pid).encode()]
        with lock:
            return list(app(environ, start_response))
    # In the copy only this thread goes on: it leaves the request it was answering to its parent
    # and serves the copied state on its own port. (It keeps its parent's listening socket open
    # without accepting on it: the parent alone answers there.)
    def serve_copy(environ, copy_port):
        try:
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                connection.close()
            os.environ["MOTO_PORT"] = str(copy_port)
            threading.Thread(target=watch_parent, daemon=True).start()
            run_simple(host, copy_port, app, **options)
        finally:
            os._exit(0)
    return original(host, port, serialised, **options)
${MOTO_SERVER_PATCHES}${MOTO_DYNAMODB_PATCHES}patch_server()
try:
    patch_transactions()
    patch_queries()
except ImportError:
    pass  # a moto without DynamoDB
# Copies are reaped by the kernel when they exit.
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
threading.Thread(target=watch_parent, daemon=True).start()
server.run_simple = run_simple
server.main(sys.argv[1:])
`;
const READY_TIMEOUT_MS = 30_000;

/**
 * Starts moto's server (the local AWS) on a free 127.0.0.1 port and waits until it answers.
 * The Python is $MOTO_PYTHON or python3; when it cannot import moto, moto is installed into the
 * project venv on first use (motoPython.ts). The command can be overridden with $MOTO_SERVER;
 * `accountId` sets the account moto plays; `readyTimeoutMs` how long it may take to answer
 * (default 30 s).
 */
export interface StartMotoOptions {
  accountId?: string;
  /**
   * Play several accounts (see motoAccounts.ts): requests are the `accountId`'s unless their
   * credentials were issued by AssumeRole into another account; `organizationId` is the
   * organisation every account belongs to (aws:PrincipalOrgID).
   */
  multiAccount?: { organizationId?: string };
  readyTimeoutMs?: number;
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  // $MOTO_SERVER runs another moto server command instead (requests then run concurrently).
  const override = process.env.MOTO_SERVER?.trim();
  const command = override || (await sharedMotoPython());
  if (!override) {
    const copy = templateFor(command, options, () =>
      spawnMoto(command, null, options, { template: true }),
    );
    if (copy) return copy;
  }
  return spawnMoto(command, override || null, options);
}

/** A new moto process: `override` is a $MOTO_SERVER command, run with host and port only. */
async function spawnMoto(
  command: string,
  override: string | null,
  options: StartMotoOptions,
  { template = false } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const multi = options.multiAccount && options.accountId ? options.multiAccount : null;
  const script = multi ? MOTO_ACCOUNTS_PATCH + SERIALISED_MOTO : SERIALISED_MOTO;
  const child = spawn(command, override ? args : ['-c', script, ...args], {
    stdio: [override ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    // moto answers as this account (ARNs, owner ids), so seeded resources match the events.
    env: multi
      ? {
          ...withoutMotoAccount(process.env),
          TOURNIQUET_HOME_ACCOUNT: options.accountId,
          ...(multi.organizationId ? { TOURNIQUET_ORGANIZATION_ID: multi.organizationId } : {}),
        }
      : options.accountId
        ? { ...process.env, MOTO_ACCOUNT_ID: options.accountId }
        : process.env,
  });
  track(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new MotoUnavailableError(`${command} was not found on PATH; ${installHint()}`, {
              cause: error,
            })
          : error,
      );
    });
    child.once('exit', (code) => {
      reject(
        new MotoUnavailableError(
          `${command} exited with code ${code} before it was ready${/No module named/.test(stderr) ? ` (moto is not installed for ${command}; ${installHint()})` : ''}:\n${stderr}`,
        ),
      );
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitUntilReady(endpoint, options.readyTimeoutMs ?? READY_TIMEOUT_MS),
      spawnFailure,
    ]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  if (template) {
    // A template waits for copies to be asked for; it must not keep this process alive.
    child.unref();
    for (const stream of [child.stdin, child.stderr])
      (stream as { unref?: () => void } | null)?.unref?.();
  }
  return {
    endpoint,
    port,
    stop: () => stopChild(child),
    ...(override ? {} : { fork: () => forkMoto(endpoint) }),
  };
}

/** Copies of servers, by pid: killed by `stop` or when this process exits. */
const copies = new Set<number>();

async function forkMoto(endpoint: string): Promise<MotoServer> {
  const port = await freePort();
  const response = await fetch(`${endpoint}/_tourniquet/fork?port=${port}`, { method: 'POST' });
  const answer = await response.text();
  const pid = Number(answer);
  if (!response.ok || !Number.isInteger(pid) || pid <= 0) {
    throw new MotoNotCopyableError(
      `moto at ${endpoint} could not copy itself (HTTP ${response.status}): ${answer.slice(0, 200)}`,
    );
  }
  copies.add(pid);
  const stop = async () => {
    if (!copies.delete(pid)) return;
    kill(pid);
    // The signal is delivered after kill returns: stopped means gone (its parent ignores SIGCHLD,
    // so the kernel reaps it and the pid disappears), its port closed.
    for (const deadline = Date.now() + 5000; alive(pid) && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 5));
  };
  const copy = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(copy, READY_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: copy, port, stop, fork: () => forkMoto(copy) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

let resolving: { key: string; python: Promise<string> } | undefined;

/** One look (and at most one installation) per process and settings, not one per server. */
function sharedMotoPython(): Promise<string> {
  const key = [process.env.MOTO_PYTHON, process.env.PATH, projectVenvDir()].join('\0');
  if (resolving?.key !== key) {
    const python = motoPython();
    resolving = { key, python };
    python.catch(() => {
      if (resolving?.python === python) resolving = undefined;
    });
  }
  return resolving.python;
}

/** MOTO_ACCOUNT_ID would pin every request to one account, whatever its credentials. */
function withoutMotoAccount(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { MOTO_ACCOUNT_ID: _pinned, ...rest } = env;
  return rest;
}

async function waitUntilReady(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new MotoUnavailableError(`moto did not answer on ${endpoint} within ${timeoutMs / 1000}s`);
}

const running = new Set<ChildProcess>();

/**
 * Every server still running is killed when this process exits, however it exits (an uncaught
 * error, process.exit after an interrupt): a signal handler can only do synchronous work there.
 */
function track(child: ChildProcess): void {
  if (running.size === 0) process.on('exit', killRunning);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killRunning);
  });
}

function killRunning(): void {
  for (const pid of copies) kill(pid);
  for (const child of running) child.kill('SIGKILL');
}

/**
 * Our server exits at once when its stdin closes (watch_parent); SIGTERM takes moto's own
 * shutdown path, which lingers for about a second. A $MOTO_SERVER command gets SIGTERM.
 */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.stdin) child.stdin.end();
    else child.kill('SIGTERM');
  });
}
