import {
  DescribeNetworkInterfacesCommand,
  type Filter,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { V1Pod } from '@kubernetes/client-node';
import { PermanentActionError } from './errors';
import { quarantineGroupFor } from './resolve';
import type { ActionContext } from './types';

/** Set by the VPC resource controller on a pod given a branch ENI (Security Groups for Pods). */
export const POD_ENI_ANNOTATION = 'vpc.amazonaws.com/pod-eni';

export interface BranchEni {
  id: string;
  vpcId: string;
  groups: string[];
  quarantineGroup: string;
}

/** VPC resource controller branch ENIs (Security Groups for Pods) carry the pod's IP. */
function isBranchEni(eni: NetworkInterface): boolean {
  return eni.InterfaceType === 'branch' || eni.Description === 'aws-k8s-branch-eni';
}

/** The ENI ids the annotation names (a JSON array of `{eniId, privateIp, vlanId, ...}`). */
export function annotatedEniIds(pod: V1Pod): string[] {
  const raw = pod.metadata?.annotations?.[POD_ENI_ANNOTATION];
  if (!raw) return [];
  try {
    const entries: unknown = JSON.parse(raw);
    if (!Array.isArray(entries)) return [];
    return entries
      .map((e) => (e as { eniId?: unknown })?.eniId)
      .filter((id): id is string => typeof id === 'string' && /^eni-[0-9a-f]{8,17}$/.test(id));
  } catch {
    // A malformed annotation names nothing; the private-IP lookup still finds the ENI.
    return [];
  }
}

async function describe(ctx: ActionContext, ids: string[]): Promise<NetworkInterface[]> {
  try {
    const { NetworkInterfaces = [] } = await ctx.aws.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }),
    );
    return NetworkInterfaces;
  } catch (error) {
    // The pod moved, or the annotation names an ENI that is gone: look it up by address instead.
    if ((error as { name?: string }).name === 'InvalidNetworkInterfaceID.NotFound') return [];
    throw error;
  }
}

async function byAddress(
  ctx: ActionContext,
  podIp: string,
  vpcs: string[],
): Promise<NetworkInterface[]> {
  const Filters: Filter[] = [{ Name: 'addresses.private-ip-address', Values: [podIp] }];
  if (vpcs.length > 0) Filters.push({ Name: 'vpc-id', Values: vpcs });
  const { NetworkInterfaces = [] } = await ctx.aws.ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters }),
  );
  return NetworkInterfaces;
}

/**
 * The pod's branch ENI: the one its pod-eni annotation names, else the branch ENI holding its IP.
 * Either way the ENI must be a branch ENI holding the pod's IP inside one of the cluster's
 * configured VPCs (the quarantineSecurityGroups keys): a private IP is unique only within a VPC,
 * and an annotation anyone allowed to patch the pod can edit must not steer the swap onto
 * another workload's interface.
 */
export async function findBranchEni(ctx: ActionContext, pod: V1Pod): Promise<BranchEni | null> {
  const podIp = pod.status?.podIP;
  if (!podIp) return null;
  const vpcs = Object.keys(ctx.cluster?.quarantineSecurityGroups ?? {});
  const holdsPod = (e: NetworkInterface) =>
    isBranchEni(e) &&
    (e.PrivateIpAddresses ?? []).some((a) => a.PrivateIpAddress === podIp) &&
    (vpcs.length === 0 || vpcs.includes(e.VpcId ?? ''));
  const named = annotatedEniIds(pod);
  const eni =
    (named.length > 0 ? (await describe(ctx, named)).find(holdsPod) : undefined) ??
    (await byAddress(ctx, podIp, vpcs)).find(holdsPod);
  if (!eni?.NetworkInterfaceId || !eni.VpcId) return null;
  const quarantineGroup = quarantineGroupFor(ctx, eni.VpcId);
  if (!quarantineGroup) {
    throw new PermanentActionError(
      `pod IP ${podIp} is on branch ENI ${eni.NetworkInterfaceId} in ${eni.VpcId}, but the cluster config has no quarantineSecurityGroups entry for that VPC`,
    );
  }
  return {
    id: eni.NetworkInterfaceId,
    vpcId: eni.VpcId,
    groups: (eni.Groups ?? []).map((g) => g.GroupId as string),
    quarantineGroup,
  };
}
