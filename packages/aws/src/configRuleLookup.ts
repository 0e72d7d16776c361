import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ConfigRuleResolver, ConfigRuleSource } from '@tourniquet/core';
import { awsClientConfig } from './clientConfig';

/**
 * The Config SDK is loaded when the first Config rule is looked up: most findings are not Config
 * evaluations, and its module scope would otherwise run in every cold start of triage.
 */
const loadConfigSdk = () => import('./configSdk');

export interface ConfigRuleLookupOptions {
  /** A client for a region (default: the shared client settings, per region). */
  client?: (region: string) => ConfigServiceClient | Promise<ConfigServiceClient>;
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
  private readonly clients = new Map<string, Promise<ConfigServiceClient>>();
  private readonly cache = new Map<
    string,
    { at: number; answer: Promise<ConfigRuleSource | null> }
  >();
  private readonly client: (region: string) => Promise<ConfigServiceClient>;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: ConfigRuleLookupOptions = {}) {
    const make =
      options.client ??
      (async (region: string) => {
        const { ConfigServiceClient } = await loadConfigSdk();
        return new ConfigServiceClient(awsClientConfig({ region }));
      });
    const instrument = options.instrument ?? ((client) => client);
    this.client = async (region) => instrument(await make(region));
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
    const { DescribeConfigRulesCommand, NoSuchConfigRuleException } = await loadConfigSdk();
    let pending = this.clients.get(rule.region);
    if (!pending) {
      pending = this.client(rule.region);
      this.clients.set(rule.region, pending);
      // A client that could not be made is made again for the next finding.
      pending.catch(() => {
        if (this.clients.get(rule.region) === pending) this.clients.delete(rule.region);
      });
    }
    try {
      const client = await pending;
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
