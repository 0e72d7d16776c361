import type { FunctionName, ScopeContext } from '../../infra/permissions';
import { type AuthRequest, arnOf, type Environment } from './requests';

/**
 * Requests a compromised or buggy function might make outside Tourniquet's scope; the
 * generated policies must deny every one. Resource ARNs come from the same service
 * authorisation data as the recorded calls'.
 */
export interface Attempt {
  function: FunctionName;
  what: string;
  request: AuthRequest;
}

const OTHER_ACCOUNT = '999988887777';

export async function outOfScopeAttempts(
  env: Environment,
  scope: ScopeContext,
): Promise<Attempt[]> {
  const cluster = scope.clusters[0];
  if (!cluster) throw new Error('the replay configured no cluster');
  const region = cluster.region;
  const other = { ...env, account: OTHER_ACCOUNT };
  const vpc = (account: string, id: string) =>
    `arn:${env.partition}:ec2:${region}:${account}:vpc/${id}`;
  const ownVpc = Object.keys(cluster.quarantineSecurityGroups)[0] as string;
  const elsewhere = vpc(env.account, 'vpc-0e1sewhere000000');
  const base = { 'aws:RequestedRegion': region, 'ec2:Region': region };
  const attempt = async (
    fn: FunctionName,
    what: string,
    action: string,
    [service, type, id, e = env, r = region]: [string, string, string, Environment?, string?],
    context: Record<string, string | string[]> = {},
  ): Promise<Attempt> => ({
    function: fn,
    what,
    request: {
      action,
      resource: await arnOf(service, type, id, r, e),
      context: { ...base, 'aws:RequestedRegion': r, ...context },
    },
  });
  const role = (name: string, path = '') => ({
    ...env,
    facts: new Map([[name, { vars: { RoleNameWithPath: `${path}${name}` } }]]),
  });
  const asg = (name: string) => ({
    ...env,
    facts: new Map([[name, { vars: { GroupId: '6f1e2d3c-0000-4000-8000-00000000a5a5' } }]]),
  });
  const ownRole = `${scope.ownRolePrefix}-triage`;
  return Promise.all([
    attempt(
      'isolate-pod',
      'swap the security groups of an ENI in another VPC',
      'ec2:ModifyNetworkInterfaceAttribute',
      ['ec2', 'network-interface', 'eni-0e1sewhere000001'],
      { 'ec2:Vpc': elsewhere },
    ),
    attempt(
      'isolate-pod',
      'open a security group of another VPC',
      'ec2:AuthorizeSecurityGroupIngress',
      ['ec2', 'security-group', 'sg-0e1sewhere000001'],
      { 'ec2:Vpc': elsewhere },
    ),
    attempt(
      'isolate-node',
      'isolate an ENI of the same VPC id in another account',
      'ec2:ModifyNetworkInterfaceAttribute',
      ['ec2', 'network-interface', 'eni-0a11ccount000001', other],
      { 'ec2:Vpc': vpc(OTHER_ACCOUNT, ownVpc) },
    ),
    attempt('isolate-pod', 'create a security group in another VPC', 'ec2:CreateSecurityGroup', [
      'ec2',
      'vpc',
      'vpc-0e1sewhere000000',
    ]),
    attempt(
      'isolate-pod',
      'use a cluster VPC in an unconfigured region',
      'ec2:ModifyNetworkInterfaceAttribute',
      ['ec2', 'network-interface', 'eni-0e1sewhere000002', env, 'eu-north-1'],
      { 'ec2:Vpc': `arn:${env.partition}:ec2:eu-north-1:${env.account}:vpc/${ownVpc}` },
    ),
    attempt(
      'protect-node',
      "change an attribute of another cluster's node",
      'ec2:ModifyInstanceAttribute',
      ['ec2', 'instance', 'i-0a0therc1uster001'],
      { 'aws:ResourceTag/eks:cluster-name': 'someone-elses-cluster' },
    ),
    attempt(
      'protect-node',
      "protect an instance of another cluster's Auto Scaling group",
      'autoscaling:SetInstanceProtection',
      ['autoscaling', 'autoScalingGroup', 'eks-other-ng', asg('eks-other-ng')],
      { 'aws:ResourceTag/eks:cluster-name': 'someone-elses-cluster' },
    ),
    attempt(
      'protect-node',
      'change an instance that is no EKS node',
      'ec2:ModifyInstanceAttribute',
      ['ec2', 'instance', 'i-0n0tan0de0000001'],
    ),
    attempt('capture-evidence', 'snapshot a volume in another account', 'ec2:CreateSnapshot', [
      'ec2',
      'volume',
      'vol-0a11ccount000001',
      other,
    ]),
    attempt('capture-evidence', 'delete a snapshot (evidence is kept)', 'ec2:DeleteSnapshot', [
      'ec2',
      'snapshot',
      'snap-0e1dence0000001',
    ]),
    attempt('capture-evidence', 'tag an existing snapshot outside its creation', 'ec2:CreateTags', [
      'ec2',
      'snapshot',
      'snap-0e1dence0000002',
    ]),
    attempt(
      'revoke-role-sessions',
      "revoke the sessions of Tourniquet's own role",
      'iam:PutRolePolicy',
      ['iam', 'role', ownRole, role(ownRole)],
    ),
    attempt(
      'block-web-identity',
      "rewrite the trust policy of Tourniquet's own role",
      'iam:UpdateAssumeRolePolicy',
      ['iam', 'role', ownRole, role(ownRole)],
    ),
    attempt(
      'revoke-role-sessions',
      'attach a policy to the organisation admin role',
      'iam:PutRolePolicy',
      ['iam', 'role', 'OrganizationAccountAccessRole', role('OrganizationAccountAccessRole')],
    ),
    attempt(
      'revoke-role-sessions',
      'attach a policy to an IAM Identity Center admin role',
      'iam:PutRolePolicy',
      [
        'iam',
        'role',
        'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
        role(
          'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
          'aws-reserved/sso.amazonaws.com/',
        ),
      ],
    ),
    attempt(
      'block-web-identity',
      'rewrite the trust policy of the Control Tower execution role',
      'iam:UpdateAssumeRolePolicy',
      ['iam', 'role', 'AWSControlTowerExecution', role('AWSControlTowerExecution')],
    ),
    attempt(
      'revoke-role-sessions',
      'revoke a role tagged tourniquet.io/protect=true',
      'iam:PutRolePolicy',
      ['iam', 'role', 'break-glass', role('break-glass')],
      { 'aws:ResourceTag/tourniquet.io/protect': 'true' },
    ),
    attempt('revoke-role-sessions', 'revoke a role in another account', 'iam:PutRolePolicy', [
      'iam',
      'role',
      'payments-api-irsa',
      { ...role('payments-api-irsa'), account: OTHER_ACCOUNT },
    ]),
    attempt(
      'disable-public-endpoint',
      'reconfigure a cluster that is not configured',
      'eks:UpdateClusterConfig',
      ['eks', 'cluster', 'someone-elses-cluster'],
    ),
    attempt(
      'enable-control-plane-logging',
      'reconfigure a cluster of the same name in another account',
      'eks:UpdateClusterConfig',
      ['eks', 'cluster', cluster.name, other],
    ),
    attempt(
      'require-imdsv2',
      'change the metadata options of an instance in another account',
      'ec2:ModifyInstanceMetadataOptions',
      ['ec2', 'instance', 'i-0a11ccount0000001', other],
    ),
    attempt(
      'revoke-open-ingress',
      'revoke rules of a security group in another account',
      'ec2:RevokeSecurityGroupIngress',
      ['ec2', 'security-group', 'sg-0a11ccount000001', other],
      { 'ec2:Vpc': vpc(OTHER_ACCOUNT, ownVpc) },
    ),
    attempt(
      'isolate-pod',
      "overwrite an incident record (outside the step journal's partitions)",
      'dynamodb:PutItem',
      ['dynamodb', 'table', scope.tables.incidents.split('/').pop() as string],
      { 'dynamodb:LeadingKeys': ['INCIDENT#ab12'] },
    ),
    attempt('isolate-pod', 'attach a policy to a role (not its action)', 'iam:PutRolePolicy', [
      'iam',
      'role',
      'payments-api-irsa',
      role('payments-api-irsa'),
    ]),
    attempt('triage', "start another application's state machine", 'states:StartExecution', [
      'states',
      'stateMachine',
      'someone-elses-workflow',
    ]),
    attempt(
      'request-approval',
      'unseal a task token (only the deciding functions may)',
      'kms:Decrypt',
      ['kms', 'key', scope.keys.taskTokens.split('/').pop() as string],
    ),
    attempt(
      'open-ticket',
      "import findings into another account's Security Hub",
      'securityhub:BatchImportFindings',
      [
        'securityhub',
        'product',
        `arn:${env.partition}:securityhub:${region}:${OTHER_ACCOUNT}:product/${OTHER_ACCOUNT}/default`,
      ],
    ),
  ]);
}
