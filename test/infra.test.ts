import { ACTIONS, UNTRACK_GROUP_NAME } from '@tourniquet/actions';
import { playbookDefinition, ROUTING_RULES, STATE_MACHINE_NAMES } from '@tourniquet/core';
import { parseApprovalSettings } from '@tourniquet/slack';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';
import { infraViolations, type RecordedResource } from './helpers/infraChecks';
import { installPulumiMocks, resolved } from './helpers/pulumiMocks';

/**
 * Evaluates the SST program offline with Pulumi's runtime mocks: every resource it would
 * create is recorded with its inputs, and the deployment's invariants are checked on them.
 * The platform packages come from `.sst/platform` (written by the offline `sst install`).
 */
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

let resources: RecordedResource[];
let secretNames: string[];
let outputs: Record<string, any>;
let settingsUsed: any;
let parseReservedConcurrency: (value: unknown) => unknown;

beforeAll(async () => {
  const mocks = installPulumiMocks({ account: () => ACCOUNT, region: REGION, stage: 'test' });
  ({ resources, secretNames } = mocks);
  const settingsModule = await mocks.load('infra/settings.ts');
  const { stageSettings } = settingsModule;
  parseReservedConcurrency = settingsModule.parseReservedConcurrency;
  const { tourniquet } = await mocks.load('infra/index.ts');
  const settings = stageSettings('test', REPO_ROOT, 'tourniquet.config.json');
  settingsUsed = settings;
  outputs = await tourniquet({
    ...settings,
    forwardFrom: ['us-west-2'],
    approvals: parseApprovalSettings({
      slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserIds: ['U0ONCALL001'] },
    }),
    tickets: {
      sinks: [
        { type: 'jira', baseUrl: 'https://example.atlassian.net', projectKey: 'SEC' },
        {
          type: 'pagerduty',
          credentialsSecret: 'security/pagerduty-routing-key',
        },
        { type: 'securityhub' },
      ],
    },
  });
  await resolved(outputs.stateMachines);
  await resolved(outputs.slackInteractionsUrl);
  // Let the remaining registrations settle.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}, 120_000);

const of = (type: string) => resources.filter((r) => r.type === type);

describe('Infrastructure (SST program evaluated offline)', () => {
  it('keeps every invariant: DLQs and retries, scoped IAM, Lambda-only trust, only self-authenticating public URLs, no execution data in logs', () => {
    expect(infraViolations(resources)).toEqual([]);
  });

  it('creates the routing rules of core on the default bus, CloudTrail rules with all management events', () => {
    const rules = of('aws:cloudwatch/eventRule:EventRule').filter(
      (r) => !r.name.startsWith('Forward-'),
    );
    expect(rules.map((r) => JSON.parse(r.inputs.eventPattern))).toEqual(
      ROUTING_RULES.map((r) => r.pattern),
    );
    const sts = rules.find((r) => r.inputs.name.endsWith('cloudtrail-irsa-assume'));
    expect(sts?.inputs.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it("deploys exactly core's playbook definitions with the real function ARNs", async () => {
    const fn = (name: string) =>
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tourniquet-test-${name}`;
    const functions = {
      actions: Object.fromEntries(Object.keys(ACTIONS).map((a) => [a, fn(a)])) as never,
      approval: fn('request-approval'),
      ticket: fn('open-ticket'),
      escalate: fn('escalate'),
    };
    const machines = of('aws:sfn/stateMachine:StateMachine');
    expect(machines).toHaveLength(STATE_MACHINE_NAMES.length);
    for (const name of STATE_MACHINE_NAMES) {
      const machine = machines.find((m) => m.inputs.name === `tourniquet-test-${name}`);
      expect(JSON.parse(machine?.inputs.definition)).toEqual(playbookDefinition(name, functions));
      expect(machine?.inputs.loggingConfiguration).toMatchObject({
        level: 'ALL',
        includeExecutionData: false,
      });
    }
  });

  it('one function per action plus triage, approval, Slack, ticket and escalation; nodejs22.x on arm64', () => {
    const functions = of('aws:lambda/function:Function');
    expect(functions.map((f) => f.inputs.name).sort()).toEqual(
      [
        ...Object.keys(ACTIONS),
        'triage',
        'request-approval',
        'slack-interactions',
        'decide',
        'open-ticket',
        'escalate',
      ]
        .map((n) => `tourniquet-test-${n}`)
        .sort(),
    );
    expect(
      functions.every(
        (f) => f.inputs.runtime === 'nodejs22.x' && f.inputs.architectures[0] === 'arm64',
      ),
    ).toBe(true);
  });

  it('declares the tables the code uses: incidents with its status index and TTL, approvals with TTL', () => {
    const tables = of('aws:dynamodb/table:Table');
    const incidents = tables.find((t) => t.name === 'Incidents')?.inputs;
    expect(incidents).toMatchObject({
      hashKey: 'pk',
      rangeKey: 'sk',
      globalSecondaryIndexes: [{ name: 'byStatus', hashKey: 'gsi1pk', rangeKey: 'gsi1sk' }],
      ttl: { attributeName: 'expiration', enabled: true },
    });
    const approvals = tables.find((t) => t.name === 'Approvals')?.inputs;
    expect(approvals?.ttl).toEqual({ attributeName: 'ttl', enabled: true });
    expect(tables).toHaveLength(2);
    // The approvals table under a customer-managed key of its own.
    const keys = of('aws:kms/key:Key');
    const tableKey = keys.find((k) => k.name === 'ApprovalsTableKey');
    expect(approvals?.serverSideEncryption).toEqual({
      enabled: true,
      kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:${tableKey?.name}`,
    });
  });

  it('task tokens: only request-approval seals, only the decision functions unseal, nobody else may use the key', () => {
    const policy = JSON.parse(
      of('aws:kms/keyPolicy:KeyPolicy').find((p) => p.name === 'TaskTokenKeyPolicy')?.inputs.policy,
    );
    const sid = (s: string) => policy.Statement.find((st: any) => st.Sid === s);
    const role = (fn: string) => `arn:aws:iam::${ACCOUNT}:role/tourniquet-test-${fn}`;
    expect(sid('Seal')).toMatchObject({
      Action: ['kms:Encrypt'],
      Principal: { AWS: [role('RequestApproval')] },
    });
    expect(sid('Unseal')).toMatchObject({
      Action: ['kms:Decrypt'],
      Principal: { AWS: [role('Decide'), role('SlackInteractions')] },
    });
    const rootActions: string[] = sid('Administer').Action;
    expect(
      rootActions.some((a) =>
        /^kms:(\*|Decrypt|Encrypt|ReEncrypt|GenerateDataKey|CreateGrant)/.test(a),
      ),
    ).toBe(false);
    expect(policy.Statement).toHaveLength(3);
    const fn = of('aws:lambda/function:Function').find(
      (f) => f.inputs.name === 'tourniquet-test-decide',
    );
    expect(fn?.inputs.environment.variables.TASK_TOKEN_KEY).toMatch(/^arn:aws:kms:/);
    expect(outputs.decisionUrl).toBeDefined();
  });

  it('one secret per configured integration; functions get the ticket settings with secret ARNs', () => {
    const secrets = of('aws:secretsmanager/secret:Secret').map((s) => s.inputs.name);
    expect(secrets.sort()).toEqual(['tourniquet/test/jira', 'tourniquet/test/slack']);
    // Only the configured integrations' values are asked for (PagerDuty names its own secret).
    expect(secretNames.sort()).toEqual([
      'JiraApiToken',
      'JiraEmail',
      'SlackBotToken',
      'SlackSigningSecret',
    ]);
    const triage = of('aws:lambda/function:Function').find(
      (f) => f.inputs.name === 'tourniquet-test-triage',
    )?.inputs.environment.variables;
    const tickets = JSON.parse(triage.TICKET_SETTINGS);
    expect(tickets.sinks.map((s: any) => s.credentialsSecret)).toEqual([
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:tourniquet/test/jira`,
      'security/pagerduty-routing-key',
      undefined,
    ]);
    expect(JSON.parse(triage.TOURNIQUET_APPROVALS).slack.channel).toBe('C0INCIDENTS');
    const policy = (fn: string) =>
      JSON.parse(
        of('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === `${fn}Policy`)?.inputs.policy,
      ).Statement.find((st: any) => st.Sid === 'Secrets')?.Resource;
    expect(policy('OpenTicket')).toEqual([
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:tourniquet/test/jira`,
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:security/pagerduty-routing-key-??????`,
    ]);
    expect(policy('SlackInteractions')).toEqual([
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:tourniquet/test/slack`,
    ]);
    expect(policy('IsolatePod')).toBeUndefined();
  });

  it('the cordon function holds no IAM write at all; the revoke function cannot change EC2', () => {
    const policyOf = (fn: string) =>
      JSON.parse(
        of('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === `${fn}Policy`)?.inputs.policy ??
          '{}',
      );
    const statements = policyOf('CordonNode').Statement;
    const cordon = statements.flatMap((s: any) => s.Action);
    expect(cordon.filter((a: string) => a.startsWith('iam:'))).toEqual([]);
    expect(cordon.filter((a: string) => !a.startsWith('dynamodb:'))).toEqual([
      'ec2:DescribeInstances',
      'eks:DescribeCluster',
    ]);
    // It writes to DynamoDB only in the step journal's partitions.
    const writes = statements.filter((s: any) => s.Action.includes('dynamodb:PutItem'));
    expect(writes).toHaveLength(1);
    expect(writes[0].Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['JOURNAL#*'] },
    });
    const revoke = policyOf('RevokeRoleSessions').Statement.flatMap((s: any) => s.Action);
    // One EC2 read, to count the instances sharing a node role for the approval request.
    expect(revoke.filter((a: string) => a.startsWith('ec2:'))).toEqual([
      'ec2:DescribeIamInstanceProfileAssociations',
    ]);
  });

  it('triage may send to exactly the dead-letter queue its failed invocations go to; no other function may', () => {
    const dlq = `arn:aws:sqs:${REGION}:${ACCOUNT}:tourniquet-test-triage-dlq`;
    const [config] = of('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig');
    expect(config?.inputs).toMatchObject({
      functionName: 'tourniquet-test-triage',
      destinationConfig: { onFailure: { destination: dlq } },
    });
    const sends = of('aws:iam/rolePolicy:RolePolicy').flatMap((p) =>
      JSON.parse(p.inputs.policy)
        .Statement.filter((st: any) => [st.Action].flat().includes('sqs:SendMessage'))
        .map((st: any) => ({ policy: p.name, resource: st.Resource })),
    );
    expect(sends).toEqual([{ policy: 'TriagePolicy', resource: [dlq] }]);
  });

  it("alarms on every function's errors, triage's failed deliveries, DLQ depth and escalations, all to the alarm topic", () => {
    const alarms = of('aws:cloudwatch/metricAlarm:MetricAlarm');
    const functions = of('aws:lambda/function:Function').map((f) => f.inputs.name);
    expect(alarms.map((a) => a.inputs.metricName).sort()).toEqual(
      [
        'ApproximateNumberOfMessagesVisible',
        'DestinationDeliveryFailures',
        ...STATE_MACHINE_NAMES.map(() => 'ExecutionsFailed'),
        ...functions.map(() => 'Errors'),
      ].sort(),
    );
    expect(
      alarms
        .filter((a) => a.inputs.metricName === 'Errors')
        .map((a) => a.inputs.dimensions.FunctionName)
        .sort(),
    ).toEqual([...functions].sort());
    expect(
      alarms.find((a) => a.inputs.metricName === 'DestinationDeliveryFailures')?.inputs,
    ).toMatchObject({
      namespace: 'AWS/Lambda',
      dimensions: { FunctionName: 'tourniquet-test-triage' },
    });
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:tourniquet-test-alarms`;
    expect(alarms.every((a) => a.inputs.alarmActions.join() === topic)).toBe(true);
  });

  it('reserves concurrency for the public Slack endpoint and every containment function (defaults 10)', () => {
    const reserved = Object.fromEntries(
      of('aws:lambda/function:Function').map((f) => [
        f.inputs.name.replace('tourniquet-test-', ''),
        f.inputs.reservedConcurrentExecutions,
      ]),
    );
    expect(reserved['slack-interactions']).toBe(10);
    for (const action of Object.keys(ACTIONS)) expect(reserved[action]).toBe(10);
    for (const shared of ['triage', 'request-approval', 'open-ticket', 'escalate'])
      expect(reserved[shared]).toBeUndefined();
  });

  it("one tourniquet-untrack group per quarantine VPC, in its cluster's region, tagged, all traffic both ways", () => {
    const groups = of('aws:ec2/securityGroup:SecurityGroup');
    const vpcs = settingsUsed.config.clusters.flatMap((c: any) =>
      Object.keys(c.quarantineSecurityGroups).map((vpc) => ({ vpc, region: c.region })),
    );
    expect(groups.map((g) => g.inputs.vpcId).sort()).toEqual(vpcs.map((v: any) => v.vpc).sort());
    const all = {
      protocol: '-1',
      fromPort: 0,
      toPort: 0,
      cidrBlocks: ['0.0.0.0/0'],
      ipv6CidrBlocks: ['::/0'],
    };
    for (const { vpc, region } of vpcs) {
      const group = groups.find((g) => g.inputs.vpcId === vpc);
      expect(group?.inputs).toMatchObject({
        name: UNTRACK_GROUP_NAME,
        tags: { 'tourniquet.io/role': 'untrack' },
        ingress: [expect.objectContaining(all)],
        egress: [expect.objectContaining(all)],
      });
      // Home-region groups use the default provider; others that region's provider.
      if (region === REGION) expect(group?.provider ?? '').not.toContain('Region-');
      else expect(group?.provider).toContain(`Region-${region}`);
    }
    // One provider per region, shared with the forwarding rules.
    expect(of('pulumi:providers:aws').map((p) => p.name)).toEqual(['Region-us-west-2']);
  });

  it('refuses a reserved concurrency that is not a positive integer, naming the key', () => {
    expect(parseReservedConcurrency({ actions: 25, slackInteractions: null })).toEqual({
      actions: 25,
      slackInteractions: null,
    });
    expect(() => parseReservedConcurrency({ actions: 0 })).toThrow(
      /deploy\.reservedConcurrency\.actions: expected an integer from 1 to 1000, or null/,
    );
    expect(() => parseReservedConcurrency({ slack: 5 })).toThrow(
      /deploy\.reservedConcurrency\.slack: unknown key/,
    );
  });

  it("EKS access entries map the action roles, each in its cluster's region", () => {
    const entries = of('aws:eks/accessEntry:AccessEntry');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.inputs.kubernetesGroups[0].startsWith('tourniquet:'))).toBe(true);
    const clusters = settingsUsed.config.clusters as Array<{ name: string; region: string }>;
    expect(new Set(clusters.map((c) => c.region)).size).toBeGreaterThan(1);
    for (const cluster of clusters) {
      const own = entries.filter((e) => e.inputs.clusterName === cluster.name);
      expect(own.length).toBeGreaterThan(0);
      for (const entry of own) {
        if (cluster.region === REGION) expect(entry.provider ?? '').not.toContain('Region-');
        else expect(entry.provider).toContain(`Region-${cluster.region}`);
      }
    }
  });

  it("the approval Task's service integration ARN is in the stage's partition", () => {
    const machine = of('aws:sfn/stateMachine:StateMachine').find((m) =>
      m.name.endsWith('ContainPodPlaybook'),
    );
    expect(machine?.inputs.definition).toContain(
      '"arn:aws:states:::lambda:invoke.waitForTaskToken"',
    );
  });

  it('detects silent failures: a role that cannot write its DLQ, a missing alarm, an unreserved action', () => {
    const broken = resources
      .map((r) => {
        if (r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name === 'TriagePolicy') {
          const policy = JSON.parse(r.inputs.policy);
          policy.Statement = policy.Statement.filter((st: any) => st.Sid !== 'DeadLetters');
          return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(policy) } };
        }
        if (r.type === 'aws:lambda/function:Function' && r.inputs.name.endsWith('-cordon-node'))
          return { ...r, inputs: { ...r.inputs, reservedConcurrentExecutions: undefined } };
        return r;
      })
      .filter(
        (r) =>
          !(
            r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm' &&
            (r.inputs.metricName === 'DestinationDeliveryFailures' ||
              r.inputs.dimensions?.FunctionName === 'tourniquet-test-escalate')
          ),
      );
    expect(infraViolations(broken).sort()).toEqual(
      [
        `tourniquet-test-triage sends its failures to arn:aws:sqs:${REGION}:${ACCOUNT}:tourniquet-test-triage-dlq but its role may send to no queue`,
        'no DestinationDeliveryFailures alarm for tourniquet-test-triage',
        'no Errors alarm for tourniquet-test-escalate',
        'tourniquet-test-cordon-node has no reserved concurrency',
      ].sort(),
    );
  });

  it('detects a broken deployment (a wildcard role, a target without DLQ, a second public URL)', () => {
    const broken: RecordedResource[] = [
      ...resources.map((r) =>
        r.type === 'aws:cloudwatch/eventTarget:EventTarget'
          ? { ...r, inputs: { ...r.inputs, deadLetterConfig: undefined } }
          : r,
      ),
      {
        type: 'aws:iam/rolePolicy:RolePolicy',
        name: 'Sloppy',
        inputs: {
          policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
        },
      },
      {
        type: 'aws:lambda/functionUrl:FunctionUrl',
        name: 'Oops',
        inputs: { functionName: 'tourniquet-test-triage', authorizationType: 'NONE' },
      },
    ];
    const problems = infraViolations(broken);
    expect(problems.filter((p) => p.includes('no dead-letter queue'))).toHaveLength(
      ROUTING_RULES.length,
    );
    expect(problems).toContainEqual(expect.stringContaining('Sloppy grants a wildcard action'));
    expect(problems).toContainEqual(
      expect.stringContaining('only the Slack and decision endpoints may be public'),
    );
  });
});
