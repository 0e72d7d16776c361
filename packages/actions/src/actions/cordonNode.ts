import type { V1Node } from '@kubernetes/client-node';
import { TOURNIQUET_LABELS } from '@tourniquet/core';
import { defineAction } from '../defineAction';
import { resolveInstanceId } from '../resolve';
import { nodeTarget } from '../targets';

interface State {
  node: string;
  unschedulable: boolean;
}

export const cordonNode = defineAction({
  name: 'cordon-node',
  description:
    'Mark the node unschedulable (spec.unschedulable=true) so no new pods land on it. Destructive: approval by default.',
  params: nodeTarget,
  permissions: { iam: [], kubernetes: ['get,list,patch nodes', 'get pods'] },
  example: { kind: 'node', instanceId: 'i-0a1b2c3d4e5f60718' },
  async check(ctx, params) {
    const instanceId = await resolveInstanceId(ctx, params);
    if ('skip' in instanceId) return { ok: false, reason: instanceId.skip };
    const node: V1Node | null = await (await ctx.kube()).findNodeByInstanceId(instanceId.value);
    if (!node?.metadata?.name)
      return { ok: false, reason: `no Kubernetes node runs on ${instanceId.value}` };
    if (node.metadata.labels?.[TOURNIQUET_LABELS.protect] === 'true') {
      return {
        ok: false,
        reason: `node ${node.metadata.name} is labelled ${TOURNIQUET_LABELS.protect}=true`,
      };
    }
    return {
      ok: true,
      state: { node: node.metadata.name, unschedulable: node.spec?.unschedulable === true },
    };
  },
  plan: (state) => (state.unschedulable ? [] : [`cordon node ${state.node}`]),
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
