import type { Statement } from './permissions';
import { serviceRole } from './serviceRole';

/**
 * A Lambda execution role that trusts only lambda.amazonaws.com (SST's own roles also trust the
 * account root), with CloudWatch Logs and X-Ray, plus the function's own statements.
 */
export function lambdaRole(
  name: string,
  statements: $util.Input<Statement[]>,
  partition: $util.Input<string>,
) {
  const role = serviceRole(`${name}Role`, name, 'lambda.amazonaws.com');
  new aws.iam.RolePolicyAttachment(`${name}Logs`, {
    role: role.name,
    policyArn: $interpolate`arn:${partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
  });
  new aws.iam.RolePolicyAttachment(`${name}Xray`, {
    role: role.name,
    policyArn: $interpolate`arn:${partition}:iam::aws:policy/AWSXRayDaemonWriteAccess`,
  });
  new aws.iam.RolePolicy(`${name}Policy`, {
    role: role.id,
    policy: $jsonStringify({ Version: '2012-10-17', Statement: statements }),
  });
  return role;
}
