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

/** A lookup per client and VPC: in flight, or settled (a miss is marked as such). */
interface Lookup {
  group: Promise<string | null>;
  missed: boolean;
}

/** Lookups per client and VPC: the group id once found, so the swap does not look again. */
const found = new WeakMap<EC2Client, Map<string, Lookup>>();

function lookupsOf(ec2: EC2Client): Map<string, Lookup> {
  let byVpc = found.get(ec2);
  if (!byVpc) {
    byVpc = new Map();
    found.set(ec2, byVpc);
  }
  return byVpc;
}

function startLookup(ec2: EC2Client, vpcId: string): Lookup {
  const byVpc = lookupsOf(ec2);
  const lookup: Lookup = { group: lookUpUntrackGroup(ec2, vpcId), missed: false };
  byVpc.set(vpcId, lookup);
  lookup.group.then(
    (id) => {
      if (!id) lookup.missed = true;
    },
    () => {
      if (byVpc.get(vpcId) === lookup) byVpc.delete(vpcId);
    },
  );
  return lookup;
}

/**
 * The per-VPC "allow all" group, if it exists (created by the deployment, or by an earlier
 * real containment). A lookup only: planning, dry-runs and verify never create anything. A miss
 * is not trusted here (the group may have been created since): it is looked up again.
 */
export function findUntrackGroup(ec2: EC2Client, vpcId: string): Promise<string | null> {
  const known = lookupsOf(ec2).get(vpcId);
  return known && !known.missed ? known.group : startLookup(ec2, vpcId).group;
}

/**
 * Starts the lookups of the allow-all groups of these VPCs (the cluster's configured ones)
 * without waiting: a swap in one of them then finds its group without a round trip of its own.
 */
export function prefetchUntrackGroups(ec2: EC2Client, vpcIds: readonly string[]): void {
  for (const vpcId of vpcIds) findUntrackGroup(ec2, vpcId).catch(() => undefined);
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
  // The lookup made while the pod was read, even a miss: creating a group that exists after all
  // fails with InvalidGroup.Duplicate, which finds it. A lookup that failed is made again.
  const earlier = lookupsOf(ec2).get(vpcId)?.group;
  const existing = await (earlier
    ? earlier.catch(() => findUntrackGroup(ec2, vpcId))
    : findUntrackGroup(ec2, vpcId));
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
  // The two rules are independent: add them at once.
  await Promise.all([
    ec2
      .send(
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
      )
      .catch(allowDuplicate),
    // A new group's default egress allows all IPv4 only; IPv6 flows need ::/0 out as well.
    ec2
      .send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId,
          IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
        }),
      )
      .catch(allowDuplicate),
  ]);
  return GroupId as string;
}

/** A rule that is already there (a retried authorisation whose answer was lost) is fine. */
function allowDuplicate(error: unknown): void {
  if ((error as { name?: string }).name !== 'InvalidPermission.Duplicate') throw error;
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
