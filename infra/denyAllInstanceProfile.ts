import { DENY_ALL_INSTANCE_PROFILE } from '@tourniquet/actions';

/** The tag quarantine-instance-profile's profile and role carry, so people see what they are. */
export const DENY_ALL_TAG = { key: 'tourniquet.io/role', value: 'quarantine-deny-all' } as const;

/**
 * The instance profile quarantine-instance-profile swaps onto a compromised instance: a role
 * EC2 can assume whose only policy denies every action, so credentials the instance (or an
 * attacker on it) gets from IMDS after the swap can do nothing. The name has no stage: the
 * action finds it by name, and one per account serves every stage.
 */
export function denyAllInstanceProfile() {
  const tags = { [DENY_ALL_TAG.key]: DENY_ALL_TAG.value };
  const role = new aws.iam.Role('QuarantineDenyAllRole', {
    name: DENY_ALL_INSTANCE_PROFILE,
    description: 'Tourniquet: role of the deny-all instance profile for quarantined instances',
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
    tags,
  });
  new aws.iam.RolePolicy('QuarantineDenyAllPolicy', {
    role: role.id,
    name: 'deny-all',
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
    }),
  });
  const profile = new aws.iam.InstanceProfile('QuarantineDenyAllProfile', {
    name: DENY_ALL_INSTANCE_PROFILE,
    role: role.name,
    tags,
  });
  return { role, profile };
}
