import { ConfigServiceClient, PutConfigRuleCommand } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ensureIncidentTable } from '@tourniquet/aws';
import { type MotoServer, startMoto } from '@tourniquet/testkit';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEvent, withValue } from './helpers/events';
import { TEST_CREDENTIALS } from './helpers/moto';
import { passingPlaybooks, triageContext, triageEnvironment } from './helpers/triageEnv';

const context = triageContext('f1c0ffee-0000-4000-8000-000000000001');
const CDK_EVENT = 'config/cdk-generated-eks-endpoint-no-public-access-noncompliant.json';

/**
 * The deployed triage handler identifies Config rules with DescribeConfigRules: moto plays the
 * sample account with the CDK-named rule deployed, Step Functions and DynamoDB in moto too.
 */
describe('Handler: triage identifies Config rules by their Source', () => {
  let server: MotoServer;
  let handler: (event: unknown, context: Context) => Promise<any>;
  let powertools: typeof import('../functions/lib/powertools');

  beforeAll(async () => {
    server = await startMoto({ accountId: '111122223333' });
    const aws = { endpoint: server.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
    await ensureIncidentTable(new DynamoDBClient(aws), 'tourniquet-incidents');
    const stateMachines = await passingPlaybooks(new SFNClient(aws));
    await new ConfigServiceClient(aws).send(
      new PutConfigRuleCommand({
        ConfigRule: {
          ConfigRuleName: loadEvent(CDK_EVENT).detail.configRuleName,
          Source: { Owner: 'AWS', SourceIdentifier: 'EKS_ENDPOINT_NO_PUBLIC_ACCESS' },
        },
      }),
    );
    Object.assign(
      process.env,
      triageEnvironment({
        endpoint: aws.endpoint,
        stateMachines,
        incidentsTable: 'tourniquet-incidents',
      }),
    );
    // A Lambda handler reads its environment when loaded: load it afresh, as a cold start
    // does, not as another file of this worker left it.
    vi.resetModules();
    handler = (await import('../functions/triage')).handler as unknown as typeof handler;
    powertools = await import('../functions/lib/powertools');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('a CDK-named rule starts remediate-config (disable-public-endpoint)', async () => {
    const result = await handler(loadEvent(CDK_EVENT), context);
    expect(result).toMatchObject({
      playbook: 'remediate-config',
      execution: { status: 'started' },
    });
    expect(result.reason).toContain(
      '→ disable-public-endpoint (managed rule EKS_ENDPOINT_NO_PUBLIC_ACCESS)',
    );
  });

  it('a rule Config does not know is identified by its name, logged and counted', async () => {
    const warned = vi.spyOn(powertools.logger, 'warn');
    const counted = vi.spyOn(powertools.metrics, 'addMetric');
    const event = withValue(
      withValue(loadEvent('config/restricted-ssh-noncompliant.json'), 'id', 'not-deployed-here'),
      'detail.configRuleName',
      'restricted-ssh',
    );
    const result = await handler(event, context);
    expect(result.playbook).toBe('remediate-config');
    expect(result.reason).toContain(
      'DescribeConfigRules found no rule restricted-ssh in 111122223333/us-east-1, so the rule was identified by its name only',
    );
    expect(warned).toHaveBeenCalledWith('Config rule identified by its name only', {
      ruleName: 'restricted-ssh',
      problem: expect.stringContaining('found no rule restricted-ssh'),
    });
    expect(counted).toHaveBeenCalledWith('ConfigRuleLookupFailures', 'Count', 1);
  });
});
