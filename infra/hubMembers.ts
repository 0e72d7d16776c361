import { memberRoleArn, memberRoleName, type TourniquetConfig } from '@tourniquet/core';
import { type FunctionName, isActionFunction } from './permissions';

/**
 * The hub's side of its member accounts: each action function may assume exactly its own role
 * in each member (the member's trust policy names that function's role back), and the members'
 * forwarding rules may put events on the hub's bus.
 */
export function hubMembers(
  config: TourniquetConfig,
  roles: Partial<Record<FunctionName, aws.iam.Role>>,
  homeBusArn: $util.Input<string>,
  partition: $util.Input<string>,
) {
  const members = Object.entries(config.accounts ?? {});
  if (members.length === 0) return;
  for (const [name, role] of Object.entries(roles) as Array<[FunctionName, aws.iam.Role]>) {
    if (!isActionFunction(name)) continue;
    new aws.iam.RolePolicy(`${name}AssumeMemberRoles`, {
      name: 'tourniquet-assume-member-roles',
      role: role.id,
      policy: $jsonStringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AssumeMemberRoles',
            Effect: 'Allow',
            Action: ['sts:AssumeRole'],
            Resource: members.map(([account, member]) =>
              $util
                .output(partition)
                .apply((p) => memberRoleArn(p, account, memberRoleName(member, name))),
            ),
          },
        ],
      }),
    });
  }
  new aws.cloudwatch.EventBusPolicy('MemberForwarding', {
    eventBusName: 'default',
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'MemberAccountsForward',
          Effect: 'Allow',
          Principal: {
            AWS: members.map(([account]) =>
              $util.output(partition).apply((p) => `arn:${p}:iam::${account}:root`),
            ),
          },
          Action: 'events:PutEvents',
          Resource: homeBusArn,
        },
      ],
    }),
  });
}
