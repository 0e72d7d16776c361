import { ACTIONS, type RegisteredActionName } from '@tourniquet/actions';
import { type ClusterConfig, partitionNamed } from '@tourniquet/core';
import { ADMIN_ROLE_PATTERNS, clusterRegions, scopeFor } from './writeScopes';

export { ADMIN_ROLE_PATTERNS, clusterRegions };

/**
 * IAM for every Tourniquet function, as plain data: infra/ attaches it to the roles, the tests
 * check it, `npm run docs:permissions` renders docs/permissions.md from it. Each action's role
 * holds exactly what its registry entry declares, scoped by resource ARN and condition keys
 * wherever IAM allows; read-only Describe/Get/List calls stay on `*` (most have no
 * resource-level permissions).
 */
export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ScopeContext {
  partition: string;
  account: string;
  region: string;
  clusters: readonly ClusterConfig[];
  /** ARNs of the resources the app itself creates. */
  tables: { incidents: string; approvals: string };
  stateMachines: readonly string[];
  /** KMS keys: the approvals table's, and the one that seals task tokens in it. */
  keys: { approvalsTable: string; taskTokens: string };
  /** Secrets Manager ARNs: the Slack secret, and the ticket sinks' credentials. */
  secrets: { slack: readonly string[]; tickets: readonly string[] };
  /** Role name prefix of the app's own roles: actions may never touch them. */
  ownRolePrefix: string;
  /** ARN of the dead-letter queue failed asynchronous invocations go to. */
  deadLetterQueue: string;
}

export const FUNCTION_NAMES = [
  'triage',
  'request-approval',
  'slack-interactions',
  'decide',
  'open-ticket',
  'escalate',
  ...(Object.keys(ACTIONS) as RegisteredActionName[]),
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * Functions invoked asynchronously (EventBridge → triage). Lambda delivers their failed
 * invocations to the dead-letter queue with the function's own role, so each needs
 * sqs:SendMessage on exactly that queue; routing configures the destination from this list.
 */
export const ASYNC_FUNCTIONS = ['triage'] as const satisfies readonly FunctionName[];

/** The containment functions: one per registered action. */
export function isActionFunction(name: FunctionName): name is RegisteredActionName {
  return Object.hasOwn(ACTIONS, name);
}

const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List)/;

/** Actions that change state; never granted on `*` without a condition (checked by the tests). */
export function isDestructive(action: string): boolean {
  return !READ_ONLY.test(action);
}

/** The statements of one action's role, from the action's declared IAM actions. */
export function actionStatements(name: RegisteredActionName, c: ScopeContext): Statement[] {
  const declared = ACTIONS[name].permissions.iam;
  // Actions that talk to Kubernetes connect through DescribeCluster (endpoint, CA) first.
  const connects = ACTIONS[name].permissions.kubernetes.length > 0 ? ['eks:DescribeCluster'] : [];
  const reads = [...declared.filter((a) => !isDestructive(a)), ...connects];
  const statements: Statement[] = [];
  if (reads.length > 0)
    statements.push({ Sid: 'Read', Effect: 'Allow', Action: [...reads], Resource: ['*'] });
  declared.filter(isDestructive).forEach((action, i) => {
    statements.push({
      Sid: `Write${i}`,
      Effect: 'Allow',
      Action: [action],
      ...scopeFor(action, c),
    });
  });
  const iamWrites = declared.filter((a) => a.startsWith('iam:') && isDestructive(a));
  if (iamWrites.length > 0) {
    const role = (name: string) => `arn:${c.partition}:iam::${c.account}:role/${name}`;
    // Never let an action rewrite Tourniquet's own roles (no self-revocation, no escalation),
    // the account's administrative roles, or a role an admin tagged as protected.
    statements.push(
      {
        Sid: 'NotOwnRoles',
        Effect: 'Deny',
        Action: iamWrites,
        Resource: [role(`${c.ownRolePrefix}*`)],
      },
      {
        Sid: 'NotAdminRoles',
        Effect: 'Deny',
        Action: iamWrites,
        Resource: ADMIN_ROLE_PATTERNS.map(role),
      },
      {
        Sid: 'NotProtectedRoles',
        Effect: 'Deny',
        Action: iamWrites,
        Resource: [role('*')],
        Condition: { StringEqualsIgnoreCase: { 'aws:ResourceTag/tourniquet.io/protect': 'true' } },
      },
    );
  }
  return statements;
}

/** Statements of every function of the app. */
export function functionStatements(name: FunctionName, c: ScopeContext): Statement[] {
  const deadLetters: Statement[] = (ASYNC_FUNCTIONS as readonly FunctionName[]).includes(name)
    ? [
        {
          Sid: 'DeadLetters',
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: [c.deadLetterQueue],
        },
      ]
    : [];
  return [...ownStatements(name, c), ...deadLetters];
}

function ownStatements(name: FunctionName, c: ScopeContext): Statement[] {
  const dynamo = (tables: string[], write: boolean): Statement => ({
    Sid: write ? 'Tables' : 'TablesRead',
    Effect: 'Allow',
    Action: write
      ? [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:Query',
        ]
      : ['dynamodb:GetItem', 'dynamodb:Query'],
    Resource: tables.flatMap((t) => [t, `${t}/index/*`]),
  });
  const secrets = (arns: readonly string[]): Statement[] =>
    arns.length === 0
      ? []
      : [
          {
            Sid: 'Secrets',
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue'],
            Resource: [...arns],
          },
        ];
  // The Security Hub sink: import the incident's finding, move the source finding's workflow,
  // in the incident's region (every configured cluster's region, and the home region).
  const regions = [...new Set([c.region, ...c.clusters.map((cl) => cl.region)])];
  const securityHub: Statement[] = [
    {
      Sid: 'SecurityHub',
      Effect: 'Allow',
      Action: ['securityhub:BatchImportFindings'],
      Resource: regions.map(
        (r) => `arn:${c.partition}:securityhub:${r}:${c.account}:product/${c.account}/default`,
      ),
    },
    {
      Sid: 'SecurityHubWorkflow',
      Effect: 'Allow',
      Action: ['securityhub:BatchUpdateFindings', 'securityhub:GetFindings'],
      Resource: ['*'],
      Condition: { StringEquals: { 'aws:RequestedRegion': regions } },
    },
  ];
  // The approvals table is encrypted with its own key; DynamoDB uses it on the caller's behalf.
  const approvalsTableKey: Statement = {
    Sid: 'ApprovalsTableKey',
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    Resource: [c.keys.approvalsTable],
    Condition: {
      StringEquals: {
        'kms:ViaService': `dynamodb.${c.region}.${partitionNamed(c.partition).dnsSuffix}`,
      },
    },
  };
  // The decision functions: unseal the token, complete the Task, and settle a delivery in doubt
  // from the execution's history. SendTask* have no resource-level permissions; the token is
  // the capability, which is why only these roles can unseal it (see docs/slack.md for the SCP).
  const decides: Statement[] = [
    dynamo([c.tables.approvals, c.tables.incidents], true),
    approvalsTableKey,
    {
      Sid: 'UnsealTaskTokens',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [c.keys.taskTokens],
    },
    {
      Sid: 'CompleteApprovals',
      Effect: 'Allow',
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      Resource: ['*'],
      Condition: { StringEquals: { 'aws:RequestedRegion': c.region } },
    },
    {
      Sid: 'ReadExecutionHistory',
      Effect: 'Allow',
      Action: ['states:GetExecutionHistory'],
      Resource: c.stateMachines.map((m) => `${m.replace(':stateMachine:', ':execution:')}:*`),
    },
  ];
  switch (name) {
    case 'triage':
      return [
        {
          Sid: 'StartPlaybooks',
          Effect: 'Allow',
          Action: ['states:StartExecution'],
          Resource: [...c.stateMachines],
        },
        // Incidents, and Powertools Idempotency records in the same table.
        dynamo([c.tables.incidents], true),
        // A Config rule is identified by its Source, whatever it is called (read-only).
        {
          Sid: 'ConfigRuleIdentity',
          Effect: 'Allow',
          Action: ['config:DescribeConfigRules'],
          Resource: ['*'],
        },
        // A repeat finding is commented on the incident's tickets.
        ...secrets(c.secrets.tickets),
        ...securityHub,
      ];
    case 'request-approval':
      return [
        dynamo([c.tables.approvals, c.tables.incidents], true),
        approvalsTableKey,
        // Seal only: the function that receives a token never needs to read one back.
        {
          Sid: 'SealTaskTokens',
          Effect: 'Allow',
          Action: ['kms:Encrypt'],
          Resource: [c.keys.taskTokens],
        },
        ...secrets(c.secrets.slack),
      ];
    case 'slack-interactions':
      return [
        ...decides,
        ...secrets(c.secrets.slack),
        // The Release button starts the release playbook (and its VPC copies), nothing else: the
        // release waits for its own approval before any undo runs.
        {
          Sid: 'StartRelease',
          Effect: 'Allow',
          Action: ['states:StartExecution'],
          Resource: c.stateMachines.filter((m) => {
            const release = `:stateMachine:${c.ownRolePrefix}-release`;
            return m.endsWith(release) || m.includes(`${release}-`);
          }),
        },
      ];
    case 'decide':
      return [...decides, ...secrets(c.secrets.slack)];
    case 'open-ticket':
      return [dynamo([c.tables.incidents], true), ...secrets(c.secrets.tickets), ...securityHub];
    case 'escalate':
      return [
        // The incident, and (after an expired approval) the stale request and its message.
        dynamo([c.tables.incidents, c.tables.approvals], true),
        approvalsTableKey,
        ...secrets([...c.secrets.tickets, ...c.secrets.slack]),
        ...securityHub,
      ];
    default:
      return [
        ...actionStatements(name, c),
        dynamo([c.tables.incidents], false),
        // The step journal: the state before each change, written before the change, in the
        // journal's own partitions only (never an incident's record or audit trail).
        {
          Sid: 'StepJournal',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
          Resource: [c.tables.incidents],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['JOURNAL#*'] } },
        },
      ];
  }
}

/** Kubernetes RBAC rules each function holds (from the action registry). */
export function kubernetesRules(
  name: FunctionName,
): Array<{ verbs: string[]; resources: string[] }> {
  if (!Object.hasOwn(ACTIONS, name)) return [];
  return ACTIONS[name as RegisteredActionName].permissions.kubernetes.map((rule) => {
    const [verbs = '', resources = ''] = rule.split(' ');
    return { verbs: verbs.split(','), resources: resources.split(',') };
  });
}
