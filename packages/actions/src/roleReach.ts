import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import { ListInstanceProfilesForRoleCommand } from '@aws-sdk/client-iam';
import { instanceIdOfNode } from './resolve';
import type { ActionContext } from './types';

/** What shares a role through its instance profiles: the instances, and the pods on them. */
export interface RoleReach {
  profiles: string[];
  instances: string[];
  /** Null when the cluster could not be read (the count is then unknown, not zero). */
  pods: number | null;
}

/**
 * The instances whose instance profile carries the role, and the pods running on them. The
 * associations are read with DescribeIamInstanceProfileAssociations (one paginated call for the
 * region) and matched by profile ARN: it needs no per-instance call, and reports exactly the
 * profile each instance holds now.
 */
export async function readRoleReach(ctx: ActionContext, role: string): Promise<RoleReach> {
  const profiles: string[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.aws.iam.send(
      new ListInstanceProfilesForRoleCommand({ RoleName: role, Marker: marker }),
    );
    profiles.push(...(page.InstanceProfiles ?? []).flatMap((p) => (p.Arn ? [p.Arn] : [])));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  if (profiles.length === 0) return { profiles, instances: [], pods: 0 };
  const wanted = new Set(profiles);
  const instances = new Set<string>();
  let token: string | undefined;
  do {
    const page = await ctx.aws.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [{ Name: 'state', Values: ['associating', 'associated'] }],
        NextToken: token,
      }),
    );
    for (const a of page.IamInstanceProfileAssociations ?? []) {
      if (a.InstanceId && wanted.has(a.IamInstanceProfile?.Arn ?? '')) instances.add(a.InstanceId);
    }
    token = page.NextToken;
  } while (token);
  return { profiles, instances: [...instances].sort(), pods: await podsOn(ctx, instances) };
}

async function podsOn(ctx: ActionContext, instances: ReadonlySet<string>): Promise<number | null> {
  if (instances.size === 0) return 0;
  if (!ctx.clusterName) return null;
  try {
    const kube = await ctx.kube();
    const nodes = (await kube.listNodes()).filter((n) => {
      const id = instanceIdOfNode(n);
      return id !== null && instances.has(id);
    });
    const pods = await Promise.all(
      nodes.map((n) => kube.listPodsOnNode(n.metadata?.name as string)),
    );
    return pods.reduce((sum, list) => sum + list.length, 0);
  } catch {
    // The count is for on-call's judgement; an unreadable cluster makes it unknown, not zero.
    return null;
  }
}

/**
 * For the approval request: how many instances and pods lose their AWS access if the role's
 * sessions are revoked. Null for a role no instance profile carries (an IRSA role).
 */
export async function roleReach(ctx: ActionContext, role: string): Promise<string | null> {
  const reach = await readRoleReach(ctx, role);
  if (reach.profiles.length === 0) return null;
  const pods = reach.pods === null ? 'an unknown number of pods' : `${reach.pods} pod(s)`;
  const listed = reach.instances.slice(0, 10).join(', ');
  const more = reach.instances.length > 10 ? `, … ${reach.instances.length - 10} more` : '';
  return `node instance role shared by ${reach.instances.length} instance(s)${listed ? ` (${listed}${more})` : ''} and ${pods} on them: revoking its sessions cuts AWS access for all of them until their credentials refresh`;
}
