import { ConfigServiceClient, PutConfigRuleCommand } from '@aws-sdk/client-config-service';
import { type AwsClientOverrides, awsClientConfig } from '@tourniquet/aws';
import type { Scenario } from './scenario';

/**
 * The scenario's AWS Config rules, in moto, under the names their deployments gave them (CDK and
 * Control Tower names included), so that triage's DescribeConfigRules lookup has real answers.
 */
export async function seedConfigRules(
  scenario: Scenario,
  options: AwsClientOverrides,
): Promise<void> {
  const clients = new Map<string, ConfigServiceClient>();
  for (const rule of scenario.configRules) {
    let client = clients.get(rule.region);
    if (!client) {
      client = new ConfigServiceClient({
        ...awsClientConfig({ region: rule.region, endpoint: options.endpoint }),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      clients.set(rule.region, client);
    }
    await client.send(
      new PutConfigRuleCommand({
        ConfigRule: {
          ConfigRuleName: rule.name,
          Source: { Owner: 'AWS', SourceIdentifier: rule.identifier },
          ...(rule.inputParameters
            ? { InputParameters: JSON.stringify(rule.inputParameters) }
            : {}),
        },
      }),
    );
  }
}
