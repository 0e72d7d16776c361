import type { V1Node } from '@kubernetes/client-node';
import { defineAction } from '../defineAction';
import { notApplicable, resolveInstance } from '../resolve';
import { nodeTarget } from '../targets';

interface State {
  node: string;
  instanceId: string;
  unschedulable: boolean;
}

export const cordonNode = defineAction({
  name: 'cordon-node',
  description:
    'Mark the node unschedulable (spec.unschedulable=true) so no new pods land on it. Destructive: approval by default.',
  params: nodeTarget,
  permissions: { iam: ['ec2:DescribeInstances'], kubernetes: ['get,list,patch nodes', 'get pods'] },
  example: { kind: 'node', instanceId: 'i-0a1b2c3d4e5f60718' },
  async check(ctx, params) {
    // The exemption is the instance's tag, which only AWS admins set: a node's kubelet may label
    // its own Node object, so a compromised node could exempt itself by label.
    const instance = await resolveInstance(ctx, params);
    if ('skip' in instance) return notApplicable(instance);
    const instanceId = instance.value.InstanceId as string;
    const node: V1Node | null = await (await ctx.kube()).findNodeByInstanceId(instanceId);
    if (!node?.metadata?.name)
      return { ok: false, reason: `no Kubernetes node runs on ${instanceId}` };
    return {
      ok: true,
      state: {
        node: node.metadata.name,
        instanceId,
        unschedulable: node.spec?.unschedulable === true,
      },
    };
  },
  plan: (state) => (state.unschedulable ? [] : [`cordon node ${state.node}`]),
  resolved: (state) => `${state.instanceId} (node ${state.node})`,
  satisfied: (state) => `node ${state.node} is already cordoned`,
  before: (state) => state,
  async execute(ctx, _params, state) {
    await (await ctx.kube()).setNodeUnschedulable(state.node, true);
    return { detail: `cordoned node ${state.node}` };
  },
  /** Uncordons only a node that was schedulable before and is still cordoned. */
  async restore(ctx, _subject, before: State) {
    if (before.unschedulable) return [];
    const kube = await ctx.kube();
    const node = await kube.readNode(before.node);
    if (node?.spec?.unschedulable !== true) return [];
    await kube.setNodeUnschedulable(before.node, false);
    return [`uncordoned node ${before.node}`];
  },
});
