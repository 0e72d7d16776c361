import { UpdateClusterConfigCommand } from '@aws-sdk/client-eks';
import { checkCluster } from '../clusterState';
import { defineAction } from '../defineAction';
import { clusterTarget } from '../targets';

interface State {
  cluster: string;
  publicAccess: boolean;
  privateAccess: boolean;
}

export const disablePublicEndpoint = defineAction({
  name: 'disable-public-endpoint',
  description:
    "Turn off the cluster API's public endpoint (and turn on the private one, so the cluster stays manageable from the VPC). Destructive: approval by default.",
  params: clusterTarget,
  permissions: { iam: ['eks:DescribeCluster', 'eks:UpdateClusterConfig'], kubernetes: [] },
  example: { kind: 'cluster', name: 'prod-eks-01' },
  async check(ctx, params) {
    const cluster = await checkCluster(ctx, params.name);
    if (!cluster.ok) return cluster;
    const vpc = cluster.state.resourcesVpcConfig;
    return {
      ok: true,
      state: {
        cluster: params.name,
        publicAccess: vpc?.endpointPublicAccess !== false,
        privateAccess: vpc?.endpointPrivateAccess === true,
      },
    };
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
