import {
  ConfigServiceClient,
  DescribeConfigRulesCommand,
  NoSuchConfigRuleException,
} from '@aws-sdk/client-config-service';
import type { ConfigRuleResolver, ConfigRuleSource } from '@tourniquet/core';
import { awsClientConfig } from './clientConfig';

export interface ConfigRuleLookupOptions {
  /** A client for a region (default: the shared client settings, per region). */
  client?: (region: string) => ConfigServiceClient;
  /** Wraps each client made (tracing). */
  instrument?: (client: ConfigServiceClient) => ConfigServiceClient;
  /** How long an answer is reused; a rule's Source rarely changes. Default one hour. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Config rules by name → their Source, with DescribeConfigRules in the region that evaluated
 * the rule. Answers (including "no such rule") are cached per account, region and name, so a
 * burst of findings from one rule makes one call; failures are not cached, the next finding asks
 * again. A rule listed under another account than the finding's is not that rule: Config only
 * describes the caller's own account.
 */
export class ConfigRuleLookup implements ConfigRuleResolver {
  private readonly clients = new Map<string, ConfigServiceClient>();
  private readonly cache = new Map<
    string,
    { at: number; answer: Promise<ConfigRuleSource | null> }
  >();
  private readonly client: (region: string) => ConfigServiceClient;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: ConfigRuleLookupOptions = {}) {
    const make =
      options.client ?? ((region: string) => new ConfigServiceClient(awsClientConfig({ region })));
    const instrument = options.instrument ?? ((client) => client);
    this.client = (region) => instrument(make(region));
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  source(rule: {
    name: string;
    account: string;
    region: string;
  }): Promise<ConfigRuleSource | null> {
    const key = `${rule.account}/${rule.region}/${rule.name}`;
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.answer;
    const answer = this.describe(rule);
    this.cache.set(key, { at: this.now(), answer });
    answer.catch(() => {
      if (this.cache.get(key)?.answer === answer) this.cache.delete(key);
    });
    return answer;
  }

  private async describe(rule: {
    name: string;
    account: string;
    region: string;
  }): Promise<ConfigRuleSource | null> {
    let client = this.clients.get(rule.region);
    if (!client) {
      client = this.client(rule.region);
      this.clients.set(rule.region, client);
    }
    try {
      const { ConfigRules } = await client.send(
        new DescribeConfigRulesCommand({ ConfigRuleNames: [rule.name] }),
      );
      const found = ConfigRules?.find((r) => r.ConfigRuleName === rule.name);
      if (!found?.Source?.Owner) return null;
      // arn:<partition>:config:<region>:<account>:config-rule/…
      const account = found.ConfigRuleArn?.split(':')[4];
      if (account && account !== rule.account) return null;
      return { owner: found.Source.Owner, sourceIdentifier: found.Source.SourceIdentifier ?? null };
    } catch (error) {
      if (error instanceof NoSuchConfigRuleException) return null;
      throw error;
    }
  }
}
