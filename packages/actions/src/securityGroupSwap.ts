import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';

/** Name of the per-VPC group that allows everything, used as the first step of a swap. */
export const UNTRACK_GROUP_NAME = 'tourniquet-untrack';

const untrackGroups = new WeakMap<EC2Client, Map<string, Promise<string>>>();

/**
 * The per-VPC "allow all" group, found by name or created once. A security group rule that
 * allows all traffic from 0.0.0.0/0 and ::/0 does not track connections, so moving an ENI onto it
 * first turns its existing connections untracked; the following move onto the rule-less
 * quarantine group then cuts them. Going straight to quarantine would leave tracked
 * connections (a reverse shell) alive.
 */
export function untrackGroup(ec2: EC2Client, vpcId: string): Promise<string> {
  let byVpc = untrackGroups.get(ec2);
  if (!byVpc) {
    byVpc = new Map();
    untrackGroups.set(ec2, byVpc);
  }
  let group = byVpc.get(vpcId);
  if (!group) {
    group = findOrCreateUntrackGroup(ec2, vpcId);
    byVpc.set(vpcId, group);
    group.catch(() => byVpc?.delete(vpcId));
  }
  return group;
}

async function findOrCreateUntrackGroup(ec2: EC2Client, vpcId: string): Promise<string> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: [UNTRACK_GROUP_NAME] },
      ],
    }),
  );
  const existing = SecurityGroups[0]?.GroupId;
  if (existing) return existing;
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: UNTRACK_GROUP_NAME,
      VpcId: vpcId,
      Description: 'Tourniquet: allow-all step of a quarantine swap (makes connections untracked)',
      TagSpecifications: [
        { ResourceType: 'security-group', Tags: [{ Key: 'tourniquet.io/role', Value: 'untrack' }] },
      ],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId,
      IpPermissions: [
        {
          IpProtocol: '-1',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [{ CidrIpv6: '::/0' }],
        },
      ],
    }),
  );
  return GroupId as string;
}

/** Two-step move of an ENI onto the quarantine group: allow-all first, then quarantine. */
export async function swapToQuarantine(
  ec2: EC2Client,
  eni: { id: string; vpcId: string },
  quarantineGroup: string,
): Promise<void> {
  const untrack = await untrackGroup(ec2, eni.vpcId);
  await setGroups(ec2, eni.id, [untrack]);
  await setGroups(ec2, eni.id, [quarantineGroup]);
}

export function setGroups(ec2: EC2Client, eniId: string, groups: string[]): Promise<unknown> {
  return ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Groups: groups }),
  );
}

export function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((g, i) => g === [...b].sort()[i]);
}
