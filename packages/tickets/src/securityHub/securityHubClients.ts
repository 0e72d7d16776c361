import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { type AwsClientOverrides, awsClientConfig } from '@tourniquet/aws';
import { loadSecurityHubSdk } from './loadSecurityHubSdk';

/**
 * One Security Hub client per region, built on first use (findings are imported per region).
 * The SDK itself is loaded then too: only a stage with a `securityhub` sink ever needs it.
 */
export function securityHubClients(
  overrides: AwsClientOverrides = {},
): (region: string) => Promise<SecurityHubClient> {
  const clients = new Map<string, Promise<SecurityHubClient>>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = loadSecurityHubSdk().then(
        ({ SecurityHubClient }) =>
          new SecurityHubClient({
            ...awsClientConfig({ region, endpoint: overrides.endpoint }),
            ...(overrides.credentials ? { credentials: overrides.credentials } : {}),
          }),
      );
      clients.set(region, client);
    }
    return client;
  };
}
