import { type LogType, UpdateClusterConfigCommand } from '@aws-sdk/client-eks';
import { checkCluster } from '../clusterState';
import { defineAction } from '../defineAction';
import { clusterTarget } from '../targets';

const LOG_TYPES: LogType[] = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

interface State {
  cluster: string;
  enabled: LogType[];
  missing: LogType[];
}

export const enableControlPlaneLogging = defineAction({
  name: 'enable-control-plane-logging',
  description:
    'Turn on every EKS control-plane log type (api, audit, authenticator, controllerManager, scheduler).',
  params: clusterTarget,
  permissions: { iam: ['eks:DescribeCluster', 'eks:UpdateClusterConfig'], kubernetes: [] },
  example: { kind: 'cluster', name: 'prod-eks-01' },
  async check(ctx, params) {
    const cluster = await checkCluster(ctx, params.name);
    if (!cluster.ok) return cluster;
    const enabled = new Set(
      (cluster.state.logging?.clusterLogging ?? [])
        .filter((l) => l.enabled)
        .flatMap((l) => l.types ?? []),
    );
    return {
      ok: true,
      state: {
        cluster: params.name,
        enabled: LOG_TYPES.filter((t) => enabled.has(t)),
        missing: LOG_TYPES.filter((t) => !enabled.has(t)),
      },
    };
  },
  plan: (state) =>
    state.missing.length > 0 ? [`enable ${state.missing.join(', ')} logs on ${state.cluster}`] : [],
  satisfied: (state) => `every control-plane log type is already on for ${state.cluster}`,
  before: (state) => state,
  async execute(ctx, _params, state) {
    await setLogging(ctx.aws.eks, state.cluster, [{ types: LOG_TYPES, enabled: true }]);
    return { detail: `enabled ${state.missing.join(', ')} logs on ${state.cluster}` };
  },
  /** Turns off only the log types that were off before the incident. */
  async restore(ctx, _subject, before: State) {
    if (before.missing.length === 0) return [];
    await setLogging(ctx.aws.eks, before.cluster, [
      { types: before.missing, enabled: false },
      ...(before.enabled.length > 0 ? [{ types: before.enabled, enabled: true }] : []),
    ]);
    return [`disabled ${before.missing.join(', ')} logs on ${before.cluster} again`];
  },
});

/** Sends the whole wanted state, not a delta: the result is the same whether the API merges or replaces. */
function setLogging(
  eks: import('@aws-sdk/client-eks').EKSClient,
  name: string,
  clusterLogging: Array<{ types: LogType[]; enabled: boolean }>,
) {
  return eks.send(new UpdateClusterConfigCommand({ name, logging: { clusterLogging } }));
}
