import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which deployed function the code running now stands in for (`isolate-pod`, `open-ticket`, …).
 * The local runtime runs every function in one process; this lets a caller that observes the
 * AWS calls (the least-privilege check, scripts/iamVerify.ts) attribute each to the function
 * whose role would make it in AWS.
 */
const current = new AsyncLocalStorage<string>();

export function asFunction<T>(name: string, run: () => T): T {
  return current.run(name, run);
}

/** The function the current code runs as, or null outside of one. */
export function invokedFunction(): string | null {
  return current.getStore() ?? null;
}
