import { readFileSync } from 'node:fs';
import { didYouMean } from '@tourniquet/core';
import SUMMARIES from './commands.json' with { type: 'json' };
import { type CliIo, EXIT, interruption, UsageError } from './io';

type Command = (args: string[], io: CliIo) => Promise<number>;

type CommandName = keyof typeof SUMMARIES;

/**
 * Each command's module, loaded only when the command runs: each command's imports (AWS SDK,
 * Kubernetes client, the state-machine runtime) cost seconds under tsx, and `--help` or
 * another command needs none. The names and summaries live in commands.json, which the bin
 * reads to answer `--help` and `--version` without starting tsx at all.
 */
const COMMANDS: Readonly<Record<CommandName, () => Promise<{ run: Command; usage: string }>>> = {
  plan: async () => {
    const m = await import('./planCommand');
    return { run: m.planCommand, usage: m.PLAN_USAGE };
  },
  replay: async () => {
    const m = await import('./replayCommand');
    return { run: m.replayCommand, usage: m.REPLAY_USAGE };
  },
  incidents: async () => {
    const m = await import('./incidentsCommand');
    return { run: m.incidentsCommand, usage: m.INCIDENTS_USAGE };
  },
  approve: async () => {
    const m = await import('./approveCommand');
    return { run: m.approveCommand, usage: m.APPROVE_USAGE };
  },
  deny: async () => {
    const m = await import('./approveCommand');
    return { run: m.denyCommand, usage: m.DENY_USAGE };
  },
  release: async () => {
    const m = await import('./releaseCommand');
    return { run: m.releaseCommand, usage: m.RELEASE_USAGE };
  },
  resolve: async () => {
    const m = await import('./resolveCommand');
    return { run: m.resolveCommand, usage: m.RESOLVE_USAGE };
  },
  doctor: async () => {
    const m = await import('./doctorCommand');
    return { run: m.doctorCommand, usage: m.DOCTOR_USAGE };
  },
  // The command's first name; kept so that scripts written for it go on working.
  preflight: async () => {
    const m = await import('./doctorCommand');
    return { run: m.doctorCommand, usage: m.DOCTOR_USAGE };
  },
  scenario: async () => {
    const m = await import('./scenarioCommand');
    return { run: m.scenarioCommand, usage: m.SCENARIO_USAGE };
  },
  actions: async () => {
    const m = await import('./actionsCommand');
    return { run: m.actionsCommand, usage: m.ACTIONS_USAGE };
  },
  policy: async () => {
    const m = await import('./policyCommand');
    return { run: m.policyCommand, usage: m.POLICY_USAGE };
  },
};

// The bin prints the same text for `--help` without loading this file (a test keeps them equal).
const USAGE = `Usage: tourniquet <command> [options]

Commands:
${Object.entries(SUMMARIES)
  .map(([name, summary]) => `  ${name.padEnd(10)}${summary}`)
  .join('\n')}

Run 'tourniquet <command> --help' for a command's options, 'tourniquet --version' for the version.
`;

/** The version of the package the CLI ships in. */
export function cliVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/** CLI entry point; returns the exit code instead of exiting so tests can run it in-process. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`tourniquet ${cliVersion()}\n`);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined;
  if (!load) {
    const what = name.startsWith('-') ? 'option' : 'command';
    io.stderr(
      `tourniquet: unknown ${what} '${name}'${didYouMean(name, name.startsWith('-') ? ['--help', '--version'] : Object.keys(COMMANDS))}\n\n${USAGE}`,
    );
    return EXIT.usage;
  }
  const command = await load();
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Whatever breaks once an interrupt has stopped the emulators is the interrupt's doing.
    const stopped = interruption(io.signal);
    if (stopped) return stopped.exitCode;
    if (error instanceof UsageError) {
      io.stderr(`tourniquet ${name}: ${error.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    return reportFailure(name, error, io);
  }
}

/** Errors the user can act on get one line; anything else its message, the stack on request. */
function reportFailure(name: string, error: unknown, io: CliIo): number {
  const known = error instanceof Error ? error : new Error(String(error));
  // By name: importing the classes would load every package before any command needs them.
  if (
    known.name === 'ConfigError' ||
    known.name === 'ScenarioError' ||
    known.name === 'PolicyError'
  ) {
    io.stderr(`tourniquet ${name}: ${known.message}\n`);
    return EXIT.usage;
  }
  if (isMissingCredentials(known)) {
    io.stderr(
      `tourniquet ${name}: no AWS credentials found: set AWS_PROFILE (after 'aws sso login' for an SSO profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available\n`,
    );
    return EXIT.usage;
  }
  const stack = process.env.TOURNIQUET_DEBUG ? `\n${known.stack ?? ''}` : '';
  const hint = stack ? '' : ' (TOURNIQUET_DEBUG=1 prints the stack)';
  io.stderr(`tourniquet ${name}: ${known.name}: ${known.message.split('\n')[0]}${hint}${stack}\n`);
  return EXIT.failed;
}

function isMissingCredentials(error: Error): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'CredentialsProviderError') return true;
  }
  return false;
}
