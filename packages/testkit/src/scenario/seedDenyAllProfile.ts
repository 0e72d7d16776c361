import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DENY_ALL_INSTANCE_PROFILE } from '@tourniquet/actions';
import type { AwsClients } from '@tourniquet/aws';

/**
 * What the deployment creates for quarantine-instance-profile (infra/denyAllInstanceProfile.ts):
 * a role EC2 can assume whose only policy denies everything, in an instance profile of the same
 * name, tagged as Tourniquet's.
 */
export async function seedDenyAllProfile(aws: AwsClients): Promise<void> {
  const Tags = [{ Key: 'tourniquet.io/role', Value: 'quarantine-deny-all' }];
  await aws.iam.send(
    new CreateRoleCommand({
      RoleName: DENY_ALL_INSTANCE_PROFILE,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
      Tags,
    }),
  );
  await aws.iam.send(
    new PutRolePolicyCommand({
      RoleName: DENY_ALL_INSTANCE_PROFILE,
      PolicyName: 'deny-all',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
      }),
    }),
  );
  await aws.iam.send(
    new CreateInstanceProfileCommand({ InstanceProfileName: DENY_ALL_INSTANCE_PROFILE, Tags }),
  );
  await aws.iam.send(
    new AddRoleToInstanceProfileCommand({
      InstanceProfileName: DENY_ALL_INSTANCE_PROFILE,
      RoleName: DENY_ALL_INSTANCE_PROFILE,
    }),
  );
}
