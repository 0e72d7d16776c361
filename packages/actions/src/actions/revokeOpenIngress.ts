import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { TOURNIQUET_LABELS } from '@tourniquet/core';
import { defineAction } from '../defineAction';
import { isUntrackGroup } from '../securityGroupSwap';
import { securityGroupTarget } from '../targets';

interface State {
  groupId: string;
  open: IpPermission[];
}

/** The parts of each ingress rule that are open to the whole internet (0.0.0.0/0, ::/0). */
function openToWorld(permissions: IpPermission[]): IpPermission[] {
  return permissions.flatMap((p) => {
    const ipv4 = (p.IpRanges ?? []).filter((r) => r.CidrIp === '0.0.0.0/0');
    const ipv6 = (p.Ipv6Ranges ?? []).filter((r) => r.CidrIpv6 === '::/0');
    if (ipv4.length === 0 && ipv6.length === 0) return [];
    return [
      {
        IpProtocol: p.IpProtocol,
        FromPort: p.FromPort,
        ToPort: p.ToPort,
        IpRanges: ipv4,
        Ipv6Ranges: ipv6,
      },
    ];
  });
}

function describe(p: IpPermission): string {
  const ports = p.IpProtocol === '-1' ? 'all traffic' : `${p.IpProtocol} ${p.FromPort}-${p.ToPort}`;
  const sources = [
    ...(p.IpRanges ?? []).map((r) => r.CidrIp),
    ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
  ];
  return `${ports} from ${sources.join(', ')}`;
}

export const revokeOpenIngress = defineAction({
  name: 'revoke-open-ingress',
  description:
    'Revoke the ingress rules of the security group that are open to 0.0.0.0/0 or ::/0; other rules stay. Destructive: approval by default.',
  params: securityGroupTarget,
  permissions: {
    iam: [
      'ec2:DescribeSecurityGroups',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupIngress',
    ],
    kubernetes: [],
  },
  example: { kind: 'security-group', groupId: 'sg-0fedcba9876543210' },
  async check(ctx, params) {
    try {
      const { SecurityGroups = [] } = await ctx.aws.ec2.send(
        new DescribeSecurityGroupsCommand({ GroupIds: [params.groupId] }),
      );
      const group = SecurityGroups[0];
      if (!group) return { ok: false, reason: `security group ${params.groupId} does not exist` };
      if (isUntrackGroup(group)) {
        return {
          ok: false,
          reason: `security group ${params.groupId} is Tourniquet's untrack group: allow-all by design, attached to an ENI only for the instant of a quarantine swap`,
        };
      }
      if (group.Tags?.some((t) => t.Key === TOURNIQUET_LABELS.protect && t.Value === 'true')) {
        return {
          ok: false,
          reason: `security group ${params.groupId} is tagged ${TOURNIQUET_LABELS.protect}=true`,
        };
      }
      return {
        ok: true,
        state: { groupId: params.groupId, open: openToWorld(group.IpPermissions ?? []) },
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidGroup.NotFound') {
        return { ok: false, reason: `security group ${params.groupId} does not exist` };
      }
      throw error;
    }
  },
  plan: (state) => state.open.map((p) => `revoke ${describe(p)} on ${state.groupId}`),
  satisfied: (state) => `${state.groupId} has no ingress open to the internet`,
  before: (state) => state,
  async execute(ctx, _params, state) {
    await ctx.aws.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: state.groupId, IpPermissions: state.open }),
    );
    return { detail: `revoked ${state.open.map(describe).join('; ')} on ${state.groupId}` };
  },
  /** Re-authorises exactly the rules the journal says were revoked; rules added since stay. */
  async restore(ctx, _subject, before: State) {
    if (before.open.length === 0) return [];
    try {
      await ctx.aws.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: before.groupId,
          IpPermissions: before.open,
        }),
      );
    } catch (error) {
      // Someone re-opened the same rules already: the wanted state holds.
      if ((error as { name?: string }).name !== 'InvalidPermission.Duplicate') throw error;
      return [];
    }
    return [`re-authorised ${before.open.map(describe).join('; ')} on ${before.groupId}`];
  },
});
