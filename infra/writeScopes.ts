import type { ScopeContext, Statement } from './permissions';

export type Scope = Omit<Statement, 'Sid' | 'Effect' | 'Action'>;

/**
 * Where each write action may act, given the configured clusters: one entry per IAM action, so
 * a new action adds its own line. Everything regional is scoped to the regions the clusters
 * run in (each cluster's VPCs in its own region), in the stage's partition. ARN shapes are
 * AWS's (service authorisation reference); `npm run iam:verify` checks them against every call
 * the functions make.
 */
const WRITE_SCOPES: Record<string, (c: ScopeContext) => Scope> = {
  'ec2:ModifyNetworkInterfaceAttribute': (c) => ({
    Resource: [...ec2Arns(c, 'network-interface/*'), ...ec2Arns(c, 'security-group/*')],
    Condition: inClusterVpcs(c),
  }),
  'ec2:AuthorizeSecurityGroupIngress': (c) => ({
    Resource: ec2Arns(c, 'security-group/*'),
    Condition: inClusterVpcs(c),
  }),
  'ec2:AuthorizeSecurityGroupEgress': (c) => ({
    Resource: ec2Arns(c, 'security-group/*'),
    Condition: inClusterVpcs(c),
  }),
  'ec2:RevokeSecurityGroupIngress': (c) => ({
    Resource: ec2Arns(c, 'security-group/*'),
    Condition: inClusterVpcs(c),
  }),
  'ec2:CreateSecurityGroup': (c) => ({
    Resource: [...ec2Arns(c, 'security-group/*'), ...clusterVpcArns(c)],
  }),
  // Tags only as part of creating the group or snapshot (never on existing resources).
  'ec2:CreateTags': (c) => ({
    Resource: [...ec2Arns(c, 'security-group/*'), ...snapshotArns(c)],
    Condition: {
      StringEquals: { 'ec2:CreateAction': ['CreateSecurityGroup', 'CreateSnapshot'] },
    },
  }),
  'ec2:CreateSnapshot': (c) => ({
    Resource: [...ec2Arns(c, 'volume/*'), ...snapshotArns(c)],
  }),
  'ec2:ModifyInstanceAttribute': (c) => ({
    Resource: ec2Arns(c, 'instance/*'),
    Condition: onClusterNodes(c),
  }),
  // Only the cluster's nodes: the instance is the resource, its eks:cluster-name tag the scope.
  'ec2:ReplaceIamInstanceProfileAssociation': (c) => ({
    Resource: ec2Arns(c, 'instance/*'),
    Condition: onClusterNodes(c),
  }),
  // To EC2 only. Apply passes the deny-all role; undo passes back the node's original role,
  // which the deployment cannot name in advance (own and admin roles stay denied).
  'iam:PassRole': (c) => ({
    Resource: [`arn:${c.partition}:iam::${c.account}:role/*`],
    Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
  }),
  // Config's ec2-imdsv2-check covers every instance of the account, not only nodes.
  'ec2:ModifyInstanceMetadataOptions': (c) => ({ Resource: ec2Arns(c, 'instance/*') }),
  'autoscaling:SetInstanceProtection': (c) => ({
    Resource: regionalArns(c, 'autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*'),
    Condition: onClusterNodes(c),
  }),
  'iam:PutRolePolicy': (c) => ({ Resource: [`arn:${c.partition}:iam::${c.account}:role/*`] }),
  'iam:DeleteRolePolicy': (c) => ({ Resource: [`arn:${c.partition}:iam::${c.account}:role/*`] }),
  'iam:UpdateAssumeRolePolicy': (c) => ({
    Resource: [`arn:${c.partition}:iam::${c.account}:role/*`],
  }),
  'eks:UpdateClusterConfig': (c) => ({
    Resource: c.clusters.map(
      (cl) => `arn:${c.partition}:eks:${cl.region}:${c.account}:cluster/${cl.name}`,
    ),
  }),
};

/** The regions the configured clusters run in (the home region when there are none). */
export function clusterRegions(c: ScopeContext): string[] {
  const regions = [...new Set(c.clusters.map((cl) => cl.region))];
  return regions.length > 0 ? regions : [c.region];
}

function regionalArns(c: ScopeContext, service: string, resource: string): string[] {
  return clusterRegions(c).map(
    (r) => `arn:${c.partition}:${service}:${r}:${c.account}:${resource}`,
  );
}

const ec2Arns = (c: ScopeContext, resource: string) => regionalArns(c, 'ec2', resource);

/** Snapshot ARNs carry no account: `arn:<partition>:ec2:<region>::snapshot/<id>`. */
const snapshotArns = (c: ScopeContext) =>
  clusterRegions(c).map((r) => `arn:${c.partition}:ec2:${r}::snapshot/*`);

/** Each cluster's VPCs (the ones with a quarantine group), in the cluster's own region. */
function clusterVpcArns(c: ScopeContext): string[] {
  const arns = c.clusters.flatMap((cl) =>
    Object.keys(cl.quarantineSecurityGroups).map(
      (v) => `arn:${c.partition}:ec2:${cl.region}:${c.account}:vpc/${v}`,
    ),
  );
  return [...new Set(arns)];
}

const inClusterVpcs = (c: ScopeContext) => ({ StringEquals: { 'ec2:Vpc': clusterVpcArns(c) } });
const onClusterNodes = (c: ScopeContext) => ({
  StringEquals: { 'aws:ResourceTag/eks:cluster-name': c.clusters.map((cl) => cl.name) },
});

/**
 * Roles no action may rewrite, whatever the finding says: the organisation's and AWS's
 * administrative roles (IAM Identity Center, service-linked, Control Tower, StackSets, CDK
 * bootstrap). Names and paths as AWS creates them.
 */
export const ADMIN_ROLE_PATTERNS = [
  'aws-reserved/*',
  'aws-service-role/*',
  'OrganizationAccountAccessRole',
  'AWSControlTowerExecution',
  'AWSCloudFormationStackSetExecutionRole',
  'stacksets-exec-*',
  'cdk-*',
] as const;

/** The scope of one write action; an action without one cannot be deployed. */
export function scopeFor(action: string, c: ScopeContext): Scope {
  const scope = WRITE_SCOPES[action];
  if (!scope)
    throw new Error(`no IAM scope is defined for ${action}: add one to infra/writeScopes.ts`);
  return scope(c);
}
