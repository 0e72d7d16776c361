import { defineConfig } from 'vitest/config';
import SoakFirstSequencer from './test/helpers/soakFirst.ts';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'functions/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Most files wait on emulators (moto, the simulators) rather than compute, so two workers
    // keep both cores busy where vitest's default on two cores is one worker.
    maxWorkers: 2,
    // A worker keeps its modules between files: importing the SDK clients, the simulators and
    // the engine under the TypeScript transform costs seconds per file. Files leave no state
    // behind (test/helpers/workerEnv.ts restores the environment after each).
    isolate: false,
    // The long files first (test/helpers/soakFirst.ts): two workers then finish together.
    sequence: { sequencer: SoakFirstSequencer },
    globalSetup: ['test/helpers/motoPool.ts'],
    setupFiles: ['test/helpers/workerEnv.ts'],
    // Development runs on Node 20; Lambda runs Node 22. The SDK's Node 20 notice is noise here.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    // `npm run coverage` only: instrumenting every file slows the suite down.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'functions/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.d.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
