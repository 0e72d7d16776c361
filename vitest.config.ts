import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'functions/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Development runs on Node 20; Lambda runs Node 22. The SDK's Node 20 notice is noise here.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // CLI replays in tests keep their incidents out of the working tree.
      TOURNIQUET_INCIDENTS: join(tmpdir(), 'tourniquet-test-incidents.json'),
    },
  },
});
