import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { defineAction } from '../defineAction';
import { PermanentActionError } from '../errors';
import { notApplicable, quarantineGroupFor, resolveInstance } from '../resolve';
import {
  findUntrackGroup,
  isTourniquetSetting,
  sameGroups,
  setGroups,
  swapToQuarantine,
} from '../securityGroupSwap';
import { nodeTarget } from '../targets';

interface Eni {
  id: string;
  vpcId: string;
  groups: string[];
  quarantineGroup: string;
}

interface State {
  instanceId: string;
  enis: Eni[];
}

export const isolateNode = defineAction({
  name: 'isolate-node',
  description:
    'Move every ENI of the node instance onto the quarantine security group, in two steps (allow-all, then quarantine) so tracked connections are cut. Destructive: approval by default.',
  params: nodeTarget,
  permissions: {
    iam: [
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkInterfaces',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:DescribeSecurityGroups',
      'ec2:CreateSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:CreateTags',
    ],
    kubernetes: ['get pods', 'get nodes'],
  },
  example: { kind: 'node', instanceId: 'i-0a1b2c3d4e5f60718' },
  async check(ctx, params) {
    const instance = await resolveInstance(ctx, params);
    if ('skip' in instance) return notApplicable(instance);
    // DescribeNetworkInterfaces is the authority on an ENI's groups (the instance view can lag).
    const eniIds = (instance.value.NetworkInterfaces ?? []).map(
      (e) => e.NetworkInterfaceId as string,
    );
    const { NetworkInterfaces = [] } = eniIds.length
      ? await ctx.aws.ec2.send(
          new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: eniIds }),
        )
      : {};
    const enis = NetworkInterfaces.map((eni) => {
      const quarantineGroup = quarantineGroupFor(ctx, eni.VpcId);
      if (!quarantineGroup) {
        throw new PermanentActionError(
          `ENI ${eni.NetworkInterfaceId} of ${instance.value.InstanceId} is in ${eni.VpcId}, which has no quarantineSecurityGroups entry in the cluster config`,
        );
      }
      return {
        id: eni.NetworkInterfaceId as string,
        vpcId: eni.VpcId as string,
        groups: (eni.Groups ?? []).map((g) => g.GroupId as string),
        quarantineGroup,
      };
    });
    return {
      ok: true,
      state: { instanceId: instance.value.InstanceId as string, enis } satisfies State,
    };
  },
  plan: (state) =>
    state.enis
      .filter((e) => !sameGroups(e.groups, [e.quarantineGroup]))
      .map((e) => `move ENI ${e.id} from ${e.groups.join(',')} to ${e.quarantineGroup}`),
  resolved: (state) =>
    `${state.instanceId} (ENIs ${state.enis.map((e) => e.id).join(', ') || 'none'})`,
  satisfied: (state) => `every ENI of ${state.instanceId} is already on the quarantine group`,
  before: (state) => state.enis.map((e) => ({ id: e.id, vpcId: e.vpcId, groups: e.groups })),
  async execute(ctx, _params, state) {
    const moving = state.enis.filter((e) => !sameGroups(e.groups, [e.quarantineGroup]));
    await Promise.all(moving.map((e) => swapToQuarantine(ctx.aws.ec2, e, e.quarantineGroup)));
    return {
      detail: `moved ${moving.length} ENI(s) of ${state.instanceId} to quarantine`,
      data: { enis: moving.map((e) => e.id) },
    };
  },
  /** Each ENI goes back to its recorded groups only while it is on Tourniquet's groups. */
  async restore(ctx, _subject, before: Array<{ id: string; vpcId: string; groups: string[] }>) {
    if (before.length === 0) return [];
    const { NetworkInterfaces = [] } = await ctx.aws.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: before.map((e) => e.id) }),
    );
    const changes: string[] = [];
    for (const eni of before) {
      const live = NetworkInterfaces.find((n) => n.NetworkInterfaceId === eni.id);
      if (!live) continue;
      const current = (live.Groups ?? []).map((g) => g.GroupId as string);
      const ours = isTourniquetSetting(
        current,
        quarantineGroupFor(ctx, eni.vpcId),
        await findUntrackGroup(ctx.aws.ec2, eni.vpcId),
      );
      if (!ours || sameGroups(current, eni.groups)) continue;
      await setGroups(ctx.aws.ec2, eni.id, eni.groups);
      changes.push(`ENI ${eni.id} back on ${eni.groups.join(',')}`);
    }
    return changes;
  },
});
