#!/usr/bin/env node
// Installs SST's platform (providers and their types) offline once: the infra type-check and
// the offline evaluation test need .sst/platform. `sst deploy` does the same on its own.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync('.sst/platform/config.d.ts') && existsSync('.sst/platform/node_modules/@pulumi/aws'))
  process.exit(0);
process.stderr.write('installing the SST platform (offline, one time, about 30 s)…\n');
const result = spawnSync('npx', ['--no-install', 'sst', 'install', '--stage', 'dev'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    SST_NO_BUN: '1',
    SST_SKIP_DEPENDENCY_CHECK: '1',
    SST_TELEMETRY_DISABLED: '1',
  },
});
if (result.status !== 0 || !existsSync('.sst/platform/config.d.ts')) {
  process.stderr.write(
    'sst install failed: run `SST_NO_BUN=1 SST_SKIP_DEPENDENCY_CHECK=1 npx sst install --stage dev` to see why\n',
  );
  process.exit(1);
}
