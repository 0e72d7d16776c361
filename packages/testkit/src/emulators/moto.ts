import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@tourniquet/core/testkit';
import { MOTO_ACCOUNTS_PATCH } from './motoAccounts';

export interface MotoServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export class MotoUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MotoUnavailableError';
  }
}

const INSTALL_HINT = "install it with: pip install 'moto[server]==5.2.1'";

/**
 * moto's own server, with one change: requests are handled one at a time. moto's backends take
 * no locks, so two concurrent conditional writes to one DynamoDB item can both succeed — which
 * real DynamoDB never allows, and which the incident store, the approvals table and the
 * blast-radius ledger rely on. Connections are still accepted concurrently.
 */
const SERIALISED_MOTO = `
import os, sys, threading
import moto.server as server
# The parent holds the write end of stdin: end of file means it is gone, even when it was
# killed without a chance to stop us (SIGKILL), so moto never outlives it.
def watch_parent():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)
threading.Thread(target=watch_parent, daemon=True).start()
lock = threading.Lock()
original = server.run_simple
def run_simple(host, port, app, **options):
    def serialised(environ, start_response):
        with lock:
            return list(app(environ, start_response))
    return original(host, port, serialised, **options)
server.run_simple = run_simple
server.main(sys.argv[1:])
`;
const READY_TIMEOUT_MS = 30_000;

/**
 * Starts moto's server (the local AWS) on a free 127.0.0.1 port and waits until it answers.
 * The command can be overridden with $MOTO_SERVER; `accountId` sets the account moto plays;
 * `readyTimeoutMs` how long it may take to answer (default 30 s).
 */
export async function startMoto(
  options: {
    accountId?: string;
    /**
     * Play several accounts (see motoAccounts.ts): requests are the `accountId`'s unless their
     * credentials were issued by AssumeRole into another account; `organizationId` is the
     * organisation every account belongs to (aws:PrincipalOrgID).
     */
    multiAccount?: { organizationId?: string };
    readyTimeoutMs?: number;
  } = {},
): Promise<MotoServer> {
  const port = await freePort();
  // $MOTO_SERVER runs another moto server command instead (requests then run concurrently).
  const override = process.env.MOTO_SERVER?.trim();
  const command = override || process.env.MOTO_PYTHON?.trim() || 'python3';
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
          ? new MotoUnavailableError(`${command} was not found on PATH; ${INSTALL_HINT}`, {
              cause: error,
            })
          : error,
      );
    });
    child.once('exit', (code) => {
      reject(
        new MotoUnavailableError(
          `${command} exited with code ${code} before it was ready${/No module named/.test(stderr) ? ` (moto is not installed for ${command}; ${INSTALL_HINT})` : ''}:\n${stderr}`,
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
  return { endpoint, port, stop: () => stopChild(child) };
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
  for (const child of running) child.kill('SIGKILL');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
