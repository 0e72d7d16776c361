import { afterAll, beforeAll, inject } from 'vitest';

export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** moto's defaults: state machines are not executed unless a file asks for it. */
const DEFAULT_CONFIG = { stepfunctions: { execute_state_machine: false } };

/**
 * The calling file's moto: its worker's server from the run's global setup (motoPool.ts), reset
 * to empty before the file's tests and after them, so every file starts from a fresh moto as
 * if it had started its own. Returns a getter because the server is ready only once beforeAll
 * has run.
 */
export function useMoto(): () => {
  endpoint: string;
  region: string;
  credentials: typeof TEST_CREDENTIALS;
} {
  let endpoint: string | undefined;
  const reset = async (url: string) => {
    const cleared = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    const configured = await fetch(`${url}/moto-api/config`, {
      method: 'POST',
      body: JSON.stringify(DEFAULT_CONFIG),
    });
    if (!cleared.ok || !configured.ok) {
      throw new Error(
        `moto at ${url} did not reset (HTTP ${cleared.status}, ${configured.status})`,
      );
    }
  };
  beforeAll(async () => {
    const endpoints = inject('motoEndpoints');
    const worker = Number(process.env.VITEST_POOL_ID ?? '1');
    const url = endpoints[worker - 1];
    if (url === undefined) {
      throw new Error(
        `no moto for worker ${worker}: the global setup started ${endpoints.length} (test/helpers/motoPool.ts)`,
      );
    }
    await reset(url);
    endpoint = url;
  });
  afterAll(async () => {
    if (endpoint) await reset(endpoint);
  });
  return () => {
    if (!endpoint)
      throw new Error('moto is not running (useMoto must be called at describe level)');
    return { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  };
}
