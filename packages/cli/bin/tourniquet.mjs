#!/usr/bin/env node
// Runs the TypeScript CLI from a bundle of its sources (launcher.mjs); the monorepo ships
// sources, not build output.
import { readFileSync } from 'node:fs';

// `--help` and `--version` answer before any of the CLI's code loads; main.ts prints the same
// text from the same files.
const [first, ...others] = process.argv.slice(2);
if (others.length === 0 && [undefined, '--help', '-h', 'help'].includes(first)) {
  const summaries = JSON.parse(readFileSync(new URL('../src/commands.json', import.meta.url)));
  process.stdout.write(`Usage: tourniquet <command> [options]

Commands:
${Object.entries(summaries)
  .map(([name, summary]) => `  ${name.padEnd(10)}${summary}`)
  .join('\n')}

Run 'tourniquet <command> --help' for a command's options, 'tourniquet --version' for the version.
`);
  process.exit(first === undefined ? 64 : 0);
}
if (others.length === 0 && ['--version', '-v', 'version'].includes(first)) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
  process.stdout.write(`tourniquet ${version}\n`);
  process.exit(0);
}

/**
 * The CLI's code: its bundle (bin/launcher.mjs: built on first use, rebuilt when a source
 * changes), or its TypeScript sources through tsx when no bundle can be had or when
 * TOURNIQUET_CLI_FROM_SOURCE=1 asks for them.
 */
async function loadCli() {
  if (process.env.TOURNIQUET_CLI_FROM_SOURCE !== '1') {
    const { bundledModule, cliLocations } = await import('./launcher.mjs');
    const bundled = await bundledModule({
      ...cliLocations(),
      // Only a person at a terminal is told; output that scripts and tests read stays the same.
      onBuild: () => {
        if (process.stderr.isTTY)
          process.stderr.write('tourniquet: building the CLI from its sources…\n');
      },
    });
    if (bundled) return bundled;
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/main.ts');
}

// The AWS SDK warns once per process on Node 20 (Lambda runs Node 22); the CLI talks only to
// local emulators, so the notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Signals and a closed stdout (`| head -1`) stop the command through this signal: it stops the
// emulators it started and returns; the exit code says why (128 + the signal's number, 0 for a
// reader that went away). A second signal exits at once; the emulator launcher kills its
// children on exit either way.
const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const stop = new AbortController();
let stdoutClosed = false;
for (const [name, exitCode] of Object.entries(SIGNAL_EXIT_CODES)) {
  process.on(name, () => {
    if (stop.signal.aborted) process.exit(exitCode);
    if (name === 'SIGINT' && !stdoutClosed) process.stderr.write('\n');
    stop.abort({ cause: name, exitCode });
  });
}
const closed = (error) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutClosed = true;
  if (!stop.signal.aborted) stop.abort({ cause: 'EPIPE', exitCode: 0 });
};
process.stdout.on('error', closed);
process.stderr.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
});

// Output quotes what events and files hold (pod names, the offending line of a JSON error),
// which an attacker can choose: control characters are shown inert, never sent to the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const inert = (text) => text.replace(CONTROL, '\ufffd');

const { main } = await loadCli();
const code = await main(process.argv.slice(2), {
  stdout: (text) => {
    if (!stdoutClosed) process.stdout.write(inert(text));
  },
  stderr: (text) => process.stderr.write(inert(text)),
  cwd: process.cwd(),
  signal: stop.signal,
  readStdin: async () => {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  },
});
// Work an interrupt abandoned (a playbook mid-flight) must not keep the process alive.
if (stop.signal.aborted) process.exit(stop.signal.reason.exitCode);
process.exitCode = code;
