import { ConfigServiceClient, PutConfigRuleCommand } from '@aws-sdk/client-config-service';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ConfigRuleLookup } from '@tourniquet/aws';
import { createPlanner, type Plan, type PlaybookStarter, triage } from '@tourniquet/core';
import { type MotoServer, startMoto } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig, withValue } from '../helpers/events';
import { TEST_CREDENTIALS } from '../helpers/moto';

/**
 * Attacks on how a Config rule is recognised. Anyone who may create Config rules in the account
 * chooses their names: a name must never be enough to trigger a remediation (disabling a
 * cluster's public endpoint, revoking a group's rules). Triage asks Config what the rule runs
 * (DescribeConfigRules, here against moto playing the sample account).
 */
const ACCOUNT = '111122223333';
const planner = createPlanner(sampleConfig());
let server: MotoServer;
let lookup: ConfigRuleLookup;

const aws = () => ({
  endpoint: server.endpoint,
  region: 'us-east-1',
  credentials: TEST_CREDENTIALS,
});

/** Triage as deployed, with a starter that only records what would start. */
async function triaged(event: Record<string, any>): Promise<Plan> {
  const plans: Plan[] = [];
  const starter: PlaybookStarter = {
    async start(plan) {
      plans.push(plan);
      return { status: 'started', executionName: plan.incidentKey, executionArn: null };
    },
  };
  const { plan } = await triage(event, planner, starter, new Date(), undefined, lookup);
  expect(plans).toEqual([plan]);
  return plan;
}

beforeAll(async () => {
  server = await startMoto({ accountId: ACCOUNT });
  lookup = new ConfigRuleLookup({
    client: (region) => new ConfigServiceClient({ ...aws(), region }),
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('Red team: Config rules are recognised by what they run, not by their names', () => {
  it('a custom Lambda rule named eks-endpoint-no-public-access does not disable a public endpoint', async () => {
    const { Role } = await new IAMClient(aws()).send(
      new CreateRoleCommand({ RoleName: 'rule-author', AssumeRolePolicyDocument: '{}' }),
    );
    const { FunctionArn } = await new LambdaClient(aws()).send(
      new CreateFunctionCommand({
        FunctionName: 'always-non-compliant',
        Runtime: 'nodejs22.x',
        Role: Role?.Arn,
        Handler: 'index.handler',
        Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) },
      }),
    );
    await new ConfigServiceClient(aws()).send(
      new PutConfigRuleCommand({
        ConfigRule: {
          ConfigRuleName: 'eks-endpoint-no-public-access',
          Source: {
            Owner: 'CUSTOM_LAMBDA',
            SourceIdentifier: FunctionArn,
            SourceDetails: [
              { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
            ],
          },
        },
      }),
    );
    const plan = await triaged(loadEvent('config/eks-endpoint-no-public-access-noncompliant.json'));
    expect(plan.playbook).toBe('ticket-only');
    expect(plan.steps.map((s) => s.action)).toEqual(['open-ticket']);
    expect(plan.reason).toBe(
      'eks-endpoint-no-public-access is a custom rule (CUSTOM_LAMBDA), not a managed rule Tourniquet remediates',
    );
    expect(plan.finding.type).toBe('Config:custom:eks-endpoint-no-public-access');
  });

  it('a managed rule renamed restricted-ssh that checks something else does not revoke ingress', async () => {
    await new ConfigServiceClient(aws()).send(
      new PutConfigRuleCommand({
        ConfigRule: {
          ConfigRuleName: 'restricted-ssh',
          Source: { Owner: 'AWS', SourceIdentifier: 'VPC_DEFAULT_SECURITY_GROUP_CLOSED' },
        },
      }),
    );
    const plan = await triaged(loadEvent('config/restricted-ssh-noncompliant.json'));
    expect(plan.playbook).toBe('ticket-only');
    expect(plan.steps.some((s) => s.action === 'revoke-open-ingress')).toBe(false);
    expect(plan.reason).toBe(
      'restricted-ssh is managed rule VPC_DEFAULT_SECURITY_GROUP_CLOSED, which Tourniquet does not remediate',
    );
  });

  it('an event naming another account is not identified by a same-named rule in this one', async () => {
    const event = withValue(
      loadEvent('config/eks-endpoint-no-public-access-other-account.json'),
      'detail.configRuleName',
      'restricted-ssh',
    );
    const plan = await triaged(event);
    // The rule of that name here (above) is not that account's rule: identified by name only,
    // and the account is not configured, so nothing but a ticket.
    expect(plan.finding.context).toMatchObject({ identity: { by: 'name' } });
    expect(plan.playbook).toBe('ticket-only');
    expect(plan.steps.map((s) => s.action)).toEqual(['open-ticket']);
  });
});
