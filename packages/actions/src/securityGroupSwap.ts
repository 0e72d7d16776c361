import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';

/** Name of the per-VPC group that allows everything, used as the first step of a swap. */
export const UNTRACK_GROUP_NAME = 'tourniquet-untrack';

/** The tag that marks the untrack group (the deployment creates it with the same tag). */
export const UNTRACK_GROUP_TAG = { Key: 'tourniquet.io/role', Value: 'untrack' } as const;

/** Tourniquet's untrack group: its name and its tag, both. */
export function isUntrackGroup(group: {
  GroupName?: string;
  Tags?: Array<{ Key?: string; Value?: string }>;
}): boolean {
  return (
    group.GroupName === UNTRACK_GROUP_NAME &&
    (group.Tags ?? []).some(
      (t) => t.Key === UNTRACK_GROUP_TAG.Key && t.Value === UNTRACK_GROUP_TAG.Value,
    )
  );
}

/** Lookups per client and VPC: the group id once found, so the swap does not look again. */
const found = new WeakMap<EC2Client, Map<string, Promise<string | null>>>();

/**
 * The per-VPC "allow all" group, if it exists (created by the deployment, or by an earlier
 * real containment). A lookup only: planning, dry-runs and verify never create anything.
 */
export function findUntrackGroup(ec2: EC2Client, vpcId: string): Promise<string | null> {
  let byVpc = found.get(ec2);
  if (!byVpc) {
    byVpc = new Map();
    found.set(ec2, byVpc);
  }
  let group = byVpc.get(vpcId);
  if (!group) {
    group = lookUpUntrackGroup(ec2, vpcId);
    byVpc.set(vpcId, group);
    // A miss or a failure is not remembered: the group may be created, the call may succeed.
    group.then(
      (id) => (id ? undefined : byVpc?.delete(vpcId)),
      () => byVpc?.delete(vpcId),
    );
  }
  return group;
}

async function lookUpUntrackGroup(ec2: EC2Client, vpcId: string): Promise<string | null> {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: [UNTRACK_GROUP_NAME] },
      ],
    }),
  );
  return SecurityGroups.find(isUntrackGroup)?.GroupId ?? null;
}

/**
 * The untrack group, created when missing (a real containment only). A security group rule that
 * allows all traffic from 0.0.0.0/0 and ::/0 does not track connections, so moving an ENI onto
 * it first turns its existing connections untracked; the following move onto the rule-less
 * quarantine group then cuts them. Going straight to quarantine would leave tracked
 * connections (a reverse shell) alive.
 */
export async function ensureUntrackGroup(ec2: EC2Client, vpcId: string): Promise<string> {
  const existing = await findUntrackGroup(ec2, vpcId);
  if (existing) return existing;
  let GroupId: string | undefined;
  try {
    ({ GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: UNTRACK_GROUP_NAME,
        VpcId: vpcId,
        Description:
          'Tourniquet: allow-all step of a quarantine swap (makes connections untracked)',
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ ...UNTRACK_GROUP_TAG }] }],
      }),
    ));
  } catch (error) {
    // A concurrent containment (or a retried create whose answer was lost) made it first.
    if ((error as { name?: string }).name !== 'InvalidGroup.Duplicate') throw error;
    const raced = await findUntrackGroup(ec2, vpcId);
    if (!raced) throw error;
    return raced;
  }
  try {
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
  } catch (error) {
    if ((error as { name?: string }).name !== 'InvalidPermission.Duplicate') throw error;
  }
  try {
    // A new group's default egress allows all IPv4 only; IPv6 flows need ::/0 out as well.
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId,
        IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'InvalidPermission.Duplicate') throw error;
  }
  return GroupId as string;
}

/** Two-step move of an ENI onto the quarantine group: allow-all first, then quarantine. */
export async function swapToQuarantine(
  ec2: EC2Client,
  eni: { id: string; vpcId: string },
  quarantineGroup: string,
): Promise<void> {
  const untrack = await ensureUntrackGroup(ec2, eni.vpcId);
  await setGroups(ec2, eni.id, [untrack]);
  await setGroups(ec2, eni.id, [quarantineGroup]);
}

export function setGroups(ec2: EC2Client, eniId: string, groups: string[]): Promise<unknown> {
  return ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Groups: groups }),
  );
}

/** Groups Tourniquet leaves an ENI on: only then does release put the recorded groups back. */
export function isTourniquetSetting(
  current: readonly string[],
  quarantineGroup: string | null,
  untrack: string | null,
): boolean {
  return (
    (quarantineGroup !== null && sameGroups(current, [quarantineGroup])) ||
    (untrack !== null && sameGroups(current, [untrack]))
  );
}

export function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((g, i) => g === [...b].sort()[i]);
}
