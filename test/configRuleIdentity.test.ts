import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigServiceClient, PutConfigRuleCommand } from '@aws-sdk/client-config-service';
import { ConfigRuleLookup } from '@tourniquet/aws';
import { readEventInputs } from '@tourniquet/cli';
import {
  CONFIG_RULES,
  createPlanner,
  identifyConfigRule,
  normaliseEvent,
  type Plan,
  parseConfig,
} from '@tourniquet/core';
import {
  approveAll,
  type MotoServer,
  type ReplayRecord,
  replay,
  startMoto,
} from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, REPO_ROOT, withValue } from './helpers/events';
import { TEST_CREDENTIALS } from './helpers/moto';

const CDK_EVENT = 'config/cdk-generated-eks-endpoint-no-public-access-noncompliant.json';
const CDK_RULE = 'TourniquetGuardrails-EksEndpointNoPublicAccess49-37QJ1KX8ZVW4';
const config = parseConfig(
  JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
);
const planner = createPlanner(config);

/**
 * Config rules identified by what they run, not by what they are called: triage's lookup
 * (DescribeConfigRules, through the real SDK against moto, which holds AWS's list of managed
 * rule identifiers and refuses any other) and the name pattern as the fallback.
 */
describe('Config rules by identity (DescribeConfigRules against moto)', () => {
  // Playing the sample events' account: a rule's ARN names the account that owns it.
  let server: MotoServer | undefined;
  const moto = () => ({
    endpoint: server?.endpoint as string,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  afterAll(async () => {
    await server?.stop();
  });
  let calls = 0;
  let lookup: ConfigRuleLookup;
  const clientFor = (region: string) => new ConfigServiceClient({ ...moto(), region });

  async function putRule(name: string, identifier: string, region = 'us-east-1') {
    await clientFor(region).send(
      new PutConfigRuleCommand({
        ConfigRule: {
          ConfigRuleName: name,
          Source: { Owner: 'AWS', SourceIdentifier: identifier },
        },
      }),
    );
  }

  async function planWith(resolver: ConfigRuleLookup, event: Record<string, any>): Promise<Plan> {
    return planner.plan(await identifyConfigRule(normaliseEvent(event), resolver));
  }

  /** A fresh lookup (empty cache) whose clients count the requests they send. */
  function countingLookup(): ConfigRuleLookup {
    return new ConfigRuleLookup({
      client: clientFor,
      instrument: (client) => {
        client.middlewareStack.add(
          (next) => async (args) => {
            calls++;
            return next(args);
          },
          { step: 'initialize', name: 'countCalls' },
        );
        return client;
      },
    });
  }

  beforeAll(async () => {
    server = await startMoto({ accountId: '111122223333' });
    lookup = countingLookup();
    await putRule(CDK_RULE, 'EKS_ENDPOINT_NO_PUBLIC_ACCESS');
  });

  it('every rule Tourniquet remediates has an identifier Config accepts as a managed rule', async () => {
    for (const [rule, route] of Object.entries(CONFIG_RULES)) {
      await putRule(`check-${rule}`, route.identifier, 'eu-west-1');
    }
    await expect(
      putRule('check-invented', 'EKS_ENDPOINT_SOMETIMES_PUBLIC', 'eu-west-1'),
    ).rejects.toThrow(/sourceIdentifier EKS_ENDPOINT_SOMETIMES_PUBLIC is invalid/);
  });

  it("a CDK-generated rule name gets the managed rule's playbook: disable-public-endpoint", async () => {
    const event = loadEvent(CDK_EVENT);
    expect(event.detail.configRuleName).toBe(CDK_RULE);
    // By name alone, the rule is unknown.
    expect(planner.plan(normaliseEvent(event)).playbook).toBe('ticket-only');
    const plan = await planWith(lookup, event);
    expect(plan.playbook).toBe('remediate-config');
    expect(plan.steps.map((s) => [s.action, s.target])).toEqual([
      ['disable-public-endpoint', 'cluster/prod-eks-01'],
      ['open-ticket', expect.any(String)],
    ]);
    expect(plan.finding).toMatchObject({
      type: 'Config:eks-endpoint-no-public-access',
      severity: 'HIGH',
      context: {
        ruleName: CDK_RULE,
        rule: 'eks-endpoint-no-public-access',
        identity: {
          by: 'source',
          owner: 'AWS',
          sourceIdentifier: 'EKS_ENDPOINT_NO_PUBLIC_ACCESS',
        },
      },
    });
    expect(plan.reason).toContain('(managed rule EKS_ENDPOINT_NO_PUBLIC_ACCESS)');
  });

  it('a Control Tower name resolves through its identifier, even one unlike its name (restricted-ssh is INCOMING_SSH_DISABLED)', async () => {
    const name = 'AWSControlTower_AWS-GR_RESTRICTED_SSH';
    await putRule(name, 'INCOMING_SSH_DISABLED');
    const event = withValue(
      loadEvent('config/restricted-ssh-noncompliant.json'),
      'detail.configRuleName',
      name,
    );
    const plan = await planWith(lookup, event);
    expect(plan.playbook).toBe('remediate-config');
    expect(plan.steps[0]?.action).toBe('revoke-open-ingress');
    expect(plan.finding.context).toMatchObject({ rule: 'restricted-ssh' });
  });

  it('a managed rule Tourniquet does not remediate gets a ticket that names it', async () => {
    const name = 'Guardrails-EksClusterSupportedVersion1C-9XQ2M4RT0ZB7';
    await clientFor('us-east-1').send(
      new PutConfigRuleCommand({
        ConfigRule: {
          ConfigRuleName: name,
          Source: { Owner: 'AWS', SourceIdentifier: 'EKS_CLUSTER_SUPPORTED_VERSION' },
          InputParameters: JSON.stringify({ oldestVersionSupported: '1.29' }),
        },
      }),
    );
    const event = withValue(
      loadEvent('config/eks-endpoint-no-public-access-noncompliant.json'),
      'detail.configRuleName',
      name,
    );
    const plan = await planWith(lookup, event);
    expect(plan.playbook).toBe('ticket-only');
    expect(plan.steps.map((s) => s.action)).toEqual(['open-ticket']);
    expect(plan.reason).toBe(
      `${name} is managed rule EKS_CLUSTER_SUPPORTED_VERSION, which Tourniquet does not remediate`,
    );
    expect(plan.finding.type).toBe('Config:eks-cluster-supported-version');
  });

  it('a rule Config does not have falls back to the name pattern and says so', async () => {
    const event = loadEvent('config/securityhub-eks-endpoint-no-public-access-noncompliant.json');
    const plan = await planWith(lookup, event);
    expect(plan.playbook).toBe('remediate-config');
    expect(plan.reason).toContain(
      `(DescribeConfigRules found no rule ${event.detail.configRuleName} in 111122223333/us-east-1, so the rule was identified by its name only)`,
    );
  });

  it('a failed lookup falls back to the name pattern and says so', async () => {
    // Nothing listens on port 9 of the loopback: every call fails with a connection error.
    const unreachable = new ConfigRuleLookup({
      client: (region) =>
        new ConfigServiceClient({
          ...moto(),
          region,
          endpoint: 'http://127.0.0.1:9',
          maxAttempts: 1,
        }),
    });
    const plain = await planWith(
      unreachable,
      loadEvent('config/eks-endpoint-no-public-access-noncompliant.json'),
    );
    expect(plain.playbook).toBe('remediate-config');
    expect(plain.reason).toMatch(
      /\(DescribeConfigRules failed \(.*ECONNREFUSED.*\), so the rule was identified by its name only\)$/,
    );
    expect(plain.finding.context).toMatchObject({ identity: { by: 'name' } });
    const generated = await planWith(unreachable, loadEvent(CDK_EVENT));
    expect(generated.playbook).toBe('ticket-only');
    expect(generated.reason).toMatch(
      new RegExp(`^${CDK_RULE} is not a rule Tourniquet remediates \\(DescribeConfigRules failed`),
    );
  });

  it('a burst of findings from one rule makes one DescribeConfigRules call; a failure is not remembered', async () => {
    const fresh = countingLookup();
    const before = calls;
    const event = loadEvent(CDK_EVENT);
    const plans = await Promise.all(Array.from({ length: 5 }, () => planWith(fresh, event)));
    expect(plans.every((p) => p.playbook === 'remediate-config')).toBe(true);
    expect(calls - before).toBe(1);
    const flaky = new ConfigRuleLookup({
      client: (region) =>
        new ConfigServiceClient({
          ...moto(),
          region,
          endpoint: 'http://127.0.0.1:9',
          maxAttempts: 1,
        }),
    });
    await expect(
      flaky.source({ name: CDK_RULE, account: '111122223333', region: 'us-east-1' }),
    ).rejects.toThrow();
    // The same lookup object asks again rather than replaying the failure.
    await expect(
      flaky.source({ name: CDK_RULE, account: '111122223333', region: 'us-east-1' }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it("looks a rule up in the region that evaluated it, and only in the finding's account", async () => {
    await putRule('eks-endpoint-no-public-access', 'EKS_ENDPOINT_NO_PUBLIC_ACCESS', 'us-west-2');
    const staging = await planWith(
      lookup,
      loadEvent('config/eks-endpoint-no-public-access-staging-first-evaluation.json'),
    );
    expect(staging.finding.context).toMatchObject({ identity: { by: 'source' } });
    // moto's account is 111122223333: a rule of the same name there is not the other account's.
    await putRule('eks-endpoint-no-public-access', 'EKS_ENDPOINT_NO_PUBLIC_ACCESS');
    expect(
      await lookup.source({
        name: 'eks-endpoint-no-public-access',
        account: '444455556666',
        region: 'us-east-1',
      }),
    ).toBeNull();
  });
});

describe('Replay: the sample rules are seeded in moto under their deployed names', () => {
  it('replays the CDK-named rule through the lookup: the public endpoint is disabled', async () => {
    const records: ReplayRecord[] = [];
    const inputs = await readEventInputs([`events/${CDK_EVENT}`], REPO_ROOT);
    await replay({
      inputs,
      config,
      approver: approveAll,
      onRecord: (r) => records.push(r),
      onRejected: (source, problem) => {
        throw new Error(`${source} rejected: ${problem}`);
      },
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ playbook: 'remediate-config', status: 'SUCCEEDED' });
    expect(records[0]?.reason).toContain('(managed rule EKS_ENDPOINT_NO_PUBLIC_ACCESS)');
    expect(records[0]?.actions.map((a) => [a.action, a.status])).toEqual([
      ['disable-public-endpoint', 'applied'],
      ['open-ticket', 'applied'],
    ]);
  }, 120_000);
});
