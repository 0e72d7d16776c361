import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { type AwsClientOverrides, awsClientConfig } from '@tourniquet/aws';

/** One Security Hub client per region, built on first use (findings are imported per region). */
export function securityHubClients(
  overrides: AwsClientOverrides = {},
): (region: string) => SecurityHubClient {
  const clients = new Map<string, SecurityHubClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new SecurityHubClient({
        ...awsClientConfig({ region, endpoint: overrides.endpoint }),
        ...(overrides.credentials ? { credentials: overrides.credentials } : {}),
      });
      clients.set(region, client);
    }
    return client;
  };
}
