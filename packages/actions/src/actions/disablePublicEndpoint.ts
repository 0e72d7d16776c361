import { UpdateClusterConfigCommand } from '@aws-sdk/client-eks';
import { checkCluster } from '../clusterState';
import { defineAction } from '../defineAction';
import { type EndpointAccess, endpointAccessOf } from '../endpointReach';
import { clusterTarget } from '../targets';
import type { ActionContext } from '../types';

interface State {
  cluster: string;
  publicAccess: boolean;
  privateAccess: boolean;
}

export const disablePublicEndpoint = defineAction({
  name: 'disable-public-endpoint',
  description:
    "Turn off the cluster API's public endpoint (and turn on the private one, so the cluster stays manageable from the VPC). Refused when Tourniquet would lose its own access to the cluster. Destructive: approval by default.",
  params: clusterTarget,
  permissions: { iam: ['eks:DescribeCluster', 'eks:UpdateClusterConfig'], kubernetes: [] },
  example: { kind: 'cluster', name: 'prod-eks-01' },
  async check(ctx, params) {
    const cluster = await checkCluster(ctx, params.name);
    if (!cluster.ok) return cluster;
    const endpoint = endpointAccessOf(cluster.state);
    const state = {
      cluster: params.name,
      publicAccess: endpoint.publicAccess,
      privateAccess: endpoint.privateAccess,
    };
    // Already off: nothing to refuse, the step reports it as done.
    if (!state.publicAccess) return { ok: true, state };
    const refusal = lockoutReason(ctx, params.name, endpoint);
    return refusal ? { ok: false, reason: refusal } : { ok: true, state };
  },
  plan: (state) => (state.publicAccess ? [`disable the public endpoint of ${state.cluster}`] : []),
  satisfied: (state) => `the public endpoint of ${state.cluster} is already disabled`,
  before: (state) => state,
  async execute(ctx, _params, state) {
    await ctx.aws.eks.send(
      new UpdateClusterConfigCommand({
        name: state.cluster,
        resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
      }),
    );
    return { detail: `public endpoint of ${state.cluster} disabled (private endpoint on)` };
  },
  /** Re-opens the public endpoint only while it is still in the state Tourniquet left it. */
  async restore(ctx, subject, before: State) {
    if (!before.publicAccess) return [];
    const cluster = await checkCluster(ctx, subject.name);
    if (!cluster.ok || cluster.state.resourcesVpcConfig?.endpointPublicAccess !== false) return [];
    await ctx.aws.eks.send(
      new UpdateClusterConfigCommand({
        name: before.cluster,
        resourcesVpcConfig: {
          endpointPublicAccess: before.publicAccess,
          endpointPrivateAccess: before.privateAccess,
        },
      }),
    );
    return [
      `endpoint access of ${before.cluster} restored (public ${before.publicAccess}, private ${before.privateAccess})`,
    ];
  },
});

/**
 * Why turning the public endpoint off would cut Tourniquet off from the cluster it is fixing
 * (and from every later containment there); null when Tourniquet keeps its access. Tourniquet
 * keeps it only when it already reaches the cluster from a VPC through the private endpoint.
 */
function lockoutReason(ctx: ActionContext, name: string, endpoint: EndpointAccess): string | null {
  const access = ctx.cluster?.access;
  if (access?.mode !== 'vpc') {
    const why = ctx.cluster
      ? 'its configured access is public'
      : 'the cluster is not in the configuration, so Tourniquet reaches it as public';
    return `refused: Tourniquet reaches ${name} through its public endpoint (${why}); turning that endpoint off would cut Tourniquet off from the cluster. Configure clusters[].access with mode vpc (subnets and a security group that reach the private endpoint on 443) first`;
  }
  if (!endpoint.privateAccess) {
    return `refused: private endpoint access is off on ${name}, so Tourniquet (access.mode=vpc) reaches it through the public endpoint only; turning that off would cut Tourniquet off from the cluster. Enable endpointPrivateAccess and allow ${access.securityGroupId} on 443 in the cluster security group first`;
  }
  return null;
}
