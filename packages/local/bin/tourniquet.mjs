#!/usr/bin/env node
// Runs the TypeScript CLI in place (tsx); the monorepo ships sources, not build output.
import { register } from 'tsx/esm/api';

// The AWS SDK warns once per process on Node 20 (Lambda runs Node 22); the CLI talks only to
// local emulators, so the notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
