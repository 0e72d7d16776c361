import { ConfigError } from '@tourniquet/core';
import { ACTIONS_USAGE, actionsCommand } from './actionsCommand';
import { APPROVE_USAGE, approveCommand, DENY_USAGE, denyCommand } from './approveCommand';
import { INCIDENTS_USAGE, incidentsCommand } from './incidentsCommand';
import { type CliIo, EXIT, UsageError } from './io';
import { PLAN_USAGE, planCommand } from './planCommand';
import { REPLAY_USAGE, replayCommand } from './replayCommand';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; summary: string; usage: string }>> = {
  plan: {
    run: planCommand,
    summary: 'show the remediation plan for sample or real events',
    usage: PLAN_USAGE,
  },
  replay: {
    run: replayCommand,
    summary: 'replay events through triage and playbooks against local emulators',
    usage: REPLAY_USAGE,
  },
  incidents: {
    run: incidentsCommand,
    summary: 'list incidents, or print one as a Markdown report',
    usage: INCIDENTS_USAGE,
  },
  approve: {
    run: approveCommand,
    summary: 'approve a pending approval request (when Slack is unreachable or not used)',
    usage: APPROVE_USAGE,
  },
  deny: {
    run: denyCommand,
    summary: 'deny a pending approval request',
    usage: DENY_USAGE,
  },
  actions: {
    run: actionsCommand,
    summary: 'list the response actions and the permissions they need',
    usage: ACTIONS_USAGE,
  },
};

const USAGE = `Usage: tourniquet <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run 'tourniquet <command> --help' for a command's options.
`;

/** CLI entry point; returns the exit code instead of exiting so tests can run it in-process. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`tourniquet: unknown command '${name}'\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tourniquet ${name}: ${error.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.stderr(`tourniquet ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`tourniquet ${name}: ${(error as Error).stack ?? error}\n`);
    return EXIT.failed;
  }
}
