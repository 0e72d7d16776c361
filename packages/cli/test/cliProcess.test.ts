import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@tourniquet/core/testkit';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main';

const BIN = join(REPO_ROOT, 'packages/cli/bin/tourniquet.mjs');
const SAMPLE = 'events/guardduty/runtime-reverse-shell-payments.json';
const REPLAY_TIMEOUT = 180_000;

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The CLI as a user runs it: its own process, real stdio. */
function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout?.on('error', () => {});
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const running = cli(args, options);
  const { code } = await running.exited;
  return { code, stdout: running.stdout(), stderr: running.stderr() };
}

/** Resolves once `text()` matches (the process announces what it is doing on its streams). */
async function until(text: () => string, pattern: RegExp): Promise<void> {
  await vi.waitFor(
    () => {
      if (!pattern.test(text())) throw new Error(`waiting for ${pattern}`);
    },
    { timeout: REPLAY_TIMEOUT, interval: 50 },
  );
}

/** pid → [parent pid, state] for every process, from /proc. */
function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state = '', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(ppid), state });
    } catch {
      // exited while listing
    }
  }
  return table;
}

/** Every process below `pid`, with its command line. */
function descendants(pid: number): Array<{ pid: number; command: string }> {
  const table = processTable();
  const found: Array<{ pid: number; command: string }> = [];
  const walk = (parent: number) => {
    for (const [child, { ppid }] of table) {
      if (ppid !== parent) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {}
      found.push({ pid: child, command });
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Alive = exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  const state = processTable().get(pid)?.state;
  return state !== undefined && state !== 'Z';
}

/** The moto server the replay started (a python child running moto.server). */
async function motoOf(pid: number): Promise<number[]> {
  const motos = descendants(pid).filter((p) => p.command.includes('moto.server'));
  expect(motos.length).toBeGreaterThan(0);
  return motos.map((p) => p.pid);
}

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

// Each run is a fresh process loading the CLI bundle: seconds on a busy machine.
describe('CLI process: output and input', { timeout: REPLAY_TIMEOUT }, () => {
  it('plan | head -1: the closed pipe ends it quietly with exit 0', async () => {
    const running = cli(['plan', 'events']);
    await until(running.stdout, /\n/);
    // What `head -1` does after its line: close the read end; the next write gets EPIPE.
    running.child.stdout?.destroy();
    const { code } = await running.exited;
    expect(running.stderr()).toBe('');
    expect(code).toBe(0);
  });

  it('- reads the event from standard input', async () => {
    const event = readFileSync(join(REPO_ROOT, SAMPLE), 'utf8');
    const { code, stdout, stderr } = await run(['plan', '--json', '-'], { input: event });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const record = JSON.parse(stdout.trim());
    expect(record).toMatchObject({ file: 'stdin', playbook: 'contain-pod' });
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(
      readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8'),
    );
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`tourniquet ${version}\n`);
  });

  it("--help (answered before any of the CLI's code loads) prints what main prints", async () => {
    let inProcess = '';
    const code = await main(['--help'], {
      stdout: (t) => (inProcess += t),
      stderr: () => {},
      cwd: REPO_ROOT,
    });
    const { code: binCode, stdout } = await run(['--help']);
    expect([binCode, stdout]).toEqual([code, inProcess]);
    expect(stdout).toMatch(/^ {2}plan {6}show the remediation plan/m);
  });

  it('an unknown command or option gets the closest known one', async () => {
    const command = await run(['plna', 'events']);
    expect(command.code).toBe(64);
    expect(command.stderr.split('\n')[0]).toBe(
      "tourniquet: unknown command 'plna' (did you mean plan?)",
    );
    const option = await run(['plan', '--jsn', 'events']);
    expect(option.code).toBe(64);
    expect(option.stderr.split('\n')[0]).toBe(
      "tourniquet plan: unknown option '--jsn' (did you mean --json?)",
    );
  });

  it('invalid JSON is reported with file, line, column and the offending line', async () => {
    const dir = scratch({ 'broken.json': '{\n  "id": "a",\n  "source" "aws.guardduty"\n}\n' });
    const { code, stderr } = await run(['plan', join(dir, 'broken.json')]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      [
        `${join(dir, 'broken.json')}: not JSON (line 3, column 12): Unexpected string`,
        '  3 |   "source" "aws.guardduty"',
        `    | ${' '.repeat(11)}^`,
        '',
      ].join('\n'),
    );
  });

  it('a scenario file that does not exist is one line, exit 64 like a missing config', async () => {
    const scenario = await run(['replay', '--scenario', 'nope.yaml', SAMPLE]);
    expect(scenario.stderr).toBe(
      'tourniquet replay: invalid scenario: cannot read nope.yaml: no such file\n',
    );
    expect(scenario.code).toBe(64);
    const config = await run(['plan', '--config', 'nope.json', SAMPLE]);
    expect(config.stderr.trim().split('\n')).toHaveLength(1);
    expect(config.code).toBe(64);
  });

  it('without AWS credentials a command says so in one line', async () => {
    const home = scratch({});
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')),
    );
    const { code, stderr } = await run(
      ['incidents', '--table', 'tourniquet-incidents', '--region', 'eu-west-1'],
      { env: { ...env, HOME: home, AWS_EC2_METADATA_DISABLED: 'true' } },
    );
    expect(stderr).toMatch(/^tourniquet incidents: no AWS credentials found: set AWS_PROFILE/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(64);
  });
});

/**
 * Four findings on one cluster and a scenario made from them: a replay with a moto, a Kubernetes
 * simulator and ticket simulators to stop, seeded in about a second instead of the several the
 * whole sample environment takes (three clusters, two accounts, Config rules).
 */
const REPLAY_EVENTS = [
  'runtime-reverse-shell-payments.json',
  'runtime-cc-activity-checkout.json',
  'runtime-new-binary-checkout.json',
  'runtime-crypto-miner-data-critical.json',
];

// The four replays are separate processes with their own emulators: they run side by side.
describe.concurrent('CLI process: replay stops every emulator it started', () => {
  let replayArgs: () => string[];
  beforeAll(async () => {
    const events = scratch(
      Object.fromEntries(
        REPLAY_EVENTS.map((file) => [
          file,
          readFileSync(join(REPO_ROOT, 'events/guardduty', file), 'utf8'),
        ]),
      ),
    );
    const scenario = join(scratch({}), 'scenario.yaml');
    const code = await main(['scenario', 'init', '--from-events', events, '-o', scenario], {
      stdout: () => {},
      stderr: () => {},
      cwd: REPO_ROOT,
    });
    expect(code).toBe(0);
    replayArgs = () => [
      'replay',
      '--approve',
      'all',
      '--scenario',
      scenario,
      '--incidents',
      incidentsFile(),
      events,
    ];
  });

  it(
    'replay | head -1 ends with exit 0 and leaves no moto behind',
    async () => {
      const running = cli(replayArgs());
      await until(running.stdout, /\n/);
      const motos = await motoOf(running.child.pid as number);
      running.child.stdout?.destroy();
      const { code } = await running.exited;
      expect(code).toBe(0);
      expect(running.stderr()).not.toMatch(/EPIPE|at .*\.ts:\d+/);
      for (const pid of motos) expect(alive(pid), `moto ${pid}`).toBe(false);
    },
    REPLAY_TIMEOUT,
  );

  it(
    'SIGHUP (the terminal closed) stops moto and every other child, exit 129',
    async () => {
      const running = cli(replayArgs());
      await until(running.stderr, /replaying \d+ event/);
      const pid = running.child.pid as number;
      await motoOf(pid);
      const children = descendants(pid);
      running.child.kill('SIGHUP');
      const { code } = await running.exited;
      expect(code).toBe(129);
      for (const p of children) expect(alive(p.pid), p.command).toBe(false);
    },
    REPLAY_TIMEOUT,
  );

  it(
    'SIGINT mid-replay exits 130 and the summary counts only the events replayed',
    async () => {
      const running = cli(replayArgs());
      await until(running.stdout, /\n\n/);
      const motos = await motoOf(running.child.pid as number);
      running.child.kill('SIGINT');
      const { code } = await running.exited;
      expect(code).toBe(130);
      const printed = running.stdout().match(/^\S+\.json(\[\d+\])?$/gm) ?? [];
      const summary = /^(\d+) event\(s\) replayed of (\d+) \(interrupted\)/m.exec(running.stdout());
      expect(summary, running.stdout()).not.toBeNull();
      expect(Number(summary?.[1])).toBe(printed.length);
      expect(Number(summary?.[1])).toBeLessThan(Number(summary?.[2]));
      expect(running.stderr()).toContain('interrupted: stopping the emulators');
      expect(running.stderr()).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
      for (const pid of motos) expect(alive(pid), `moto ${pid}`).toBe(false);
    },
    REPLAY_TIMEOUT,
  );

  it(
    'moto does not outlive a CLI killed with SIGKILL',
    async () => {
      const running = cli(replayArgs());
      await until(running.stderr, /replaying \d+ event/);
      const motos = await motoOf(running.child.pid as number);
      running.child.kill('SIGKILL');
      await running.exited;
      await vi.waitFor(
        () => {
          for (const pid of motos) if (alive(pid)) throw new Error(`moto ${pid} still runs`);
        },
        { timeout: 30_000, interval: 100 },
      );
    },
    REPLAY_TIMEOUT,
  );
});

function incidentsFile(): string {
  return join(scratch({}), 'incidents.json');
}
