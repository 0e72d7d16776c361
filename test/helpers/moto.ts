import { type MotoServer, startMoto } from '@tourniquet/local';
import { afterAll, beforeAll } from 'vitest';

export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * Starts one moto server for the calling test file (on a free loopback port) and stops it after.
 * Returns a getter because the server exists only once beforeAll has run.
 */
export function useMoto(): () => {
  endpoint: string;
  region: string;
  credentials: typeof TEST_CREDENTIALS;
} {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('moto is not running (useMoto must be called at describe level)');
    return { endpoint: server.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  };
}
