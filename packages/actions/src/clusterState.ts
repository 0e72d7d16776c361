import { type Cluster, DescribeClusterCommand } from '@aws-sdk/client-eks';
import { TOURNIQUET_LABELS } from '@tourniquet/core';
import type { ActionContext, Check } from './types';

/** DescribeCluster with the protect tag and a missing cluster turned into a skip. */
export async function checkCluster(ctx: ActionContext, name: string): Promise<Check<Cluster>> {
  try {
    const { cluster } = await ctx.aws.eks.send(new DescribeClusterCommand({ name }));
    if (!cluster) return { ok: false, reason: `cluster ${name} does not exist` };
    if (cluster.tags?.[TOURNIQUET_LABELS.protect] === 'true') {
      return {
        ok: false,
        reason: `cluster ${name} is tagged ${TOURNIQUET_LABELS.protect}=true`,
        protected: true,
      };
    }
    return { ok: true, state: cluster };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      return { ok: false, reason: `cluster ${name} does not exist` };
    }
    throw error;
  }
}
