import { type Cluster, DescribeClusterCommand } from '@aws-sdk/client-eks';
import type { ClusterAccess } from '@tourniquet/core';
import type { KubeAdapter } from '@tourniquet/kube';
import { PermanentActionError } from './errors';
import type { ActionContext } from './types';

/** A cluster's API endpoint access, with the defaults EKS documents for fields left out. */
export interface EndpointAccess {
  publicAccess: boolean;
  privateAccess: boolean;
  publicAccessCidrs: string[];
}

export function endpointAccessOf(cluster: Pick<Cluster, 'resourcesVpcConfig'>): EndpointAccess {
  const vpc = cluster.resourcesVpcConfig;
  return {
    publicAccess: vpc?.endpointPublicAccess !== false,
    privateAccess: vpc?.endpointPrivateAccess === true,
    publicAccessCidrs: vpc?.publicAccessCidrs?.length ? vpc.publicAccessCidrs : ['0.0.0.0/0'],
  };
}

/**
 * Why Tourniquet, reaching the cluster as `access` says, cannot reach this endpoint; null when
 * it can. A function outside any VPC only has the public endpoint, from no fixed source address:
 * a public endpoint restricted by publicAccessCidrs is as closed to it as a private-only one.
 * From a VPC the private endpoint answers, or the public one through the VPC's NAT.
 */
export function unreachableReason(
  access: ClusterAccess | undefined,
  endpoint: EndpointAccess,
): string | null {
  if (access?.mode === 'vpc') return null;
  if (!endpoint.publicAccess) {
    return 'cluster API endpoint not reachable from Tourniquet (private-only endpoint; configure access.mode=vpc)';
  }
  if (!endpoint.publicAccessCidrs.includes('0.0.0.0/0')) {
    return `cluster API endpoint not reachable from Tourniquet (public endpoint limited by publicAccessCidrs to ${endpoint.publicAccessCidrs.join(', ')}, and a function outside a VPC has no fixed source address; configure access.mode=vpc)`;
  }
  return null;
}

/**
 * Before the first Kubernetes call: fails at once, with the reason, when the cluster's endpoint
 * cannot be reached from where this function runs, instead of hanging on a connection to an
 * address it has no route to until Lambda times out. When DescribeCluster itself fails, the
 * connection attempt reports the problem.
 */
export async function ensureReachable(ctx: ActionContext, clusterName: string): Promise<void> {
  const access = ctx.cluster?.access;
  if (access?.mode === 'vpc') return;
  let cluster: Cluster | undefined;
  try {
    ({ cluster } = await ctx.aws.eks.send(new DescribeClusterCommand({ name: clusterName })));
  } catch {
    return;
  }
  if (!cluster) return;
  const reason = unreachableReason(access, endpointAccessOf(cluster));
  if (reason) throw new PermanentActionError(`${clusterName}: ${reason}`);
}

/** Adapter methods that only read: they may be sent before the endpoint is known reachable. */
const READS = /^(read|list|find)/;

/**
 * The cluster's adapter without a round trip before the first Kubernetes call: reads go out at
 * once, alongside the reachability check, and answer only once it passed (an unreachable
 * endpoint fails with its reason, not with a connection timeout); anything that writes waits
 * for the check before it is sent, so nothing changes on a cluster judged out of reach.
 */
export async function kubeWhileReachable(
  reachable: Promise<void>,
  connecting: Promise<KubeAdapter>,
): Promise<KubeAdapter> {
  reachable.catch(() => undefined);
  let adapter: KubeAdapter;
  try {
    adapter = await connecting;
  } catch (error) {
    // Why the cluster is out of reach says more than the failed connection.
    await reachable;
    throw error;
  }
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (READS.test(String(property))) {
        return (...args: unknown[]) => {
          const call: Promise<unknown> = value.apply(target, args);
          // Its failure is reported once the check passed; an unreachable endpoint reports that.
          call.catch(() => undefined);
          return reachable.then(() => call);
        };
      }
      return (...args: unknown[]) => reachable.then(() => value.apply(target, args));
    },
  });
}
