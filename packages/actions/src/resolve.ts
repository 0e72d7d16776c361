import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { roleName, TOURNIQUET_LABELS } from '@tourniquet/core';
import type { NodeTarget, PodTarget, RoleTarget } from './targets';
import type { ActionContext } from './types';

/** A resolved value, or why the action does not apply (the step is then skipped). */
export type Resolved<T> = { value: T } | { skip: string };

const isProtect = (value: string | undefined) => value === 'true';

/** The pod named by the plan: gone, replaced, or protected pods are reported, not acted on. */
export async function resolvePod(ctx: ActionContext, target: PodTarget): Promise<Resolved<V1Pod>> {
  const where = `${target.namespace}/${target.name}`;
  if (ctx.config.protectedNamespaces.includes(target.namespace)) {
    return { skip: `namespace ${target.namespace} is protected` };
  }
  const pod = await (await ctx.kube()).readPod(target.namespace, target.name);
  if (!pod) return { skip: `pod ${where} no longer exists` };
  if (target.uid && pod.metadata?.uid !== target.uid) {
    return {
      skip: `pod ${where} was replaced (uid ${pod.metadata?.uid}, finding named ${target.uid})`,
    };
  }
  if (isProtect(pod.metadata?.labels?.[TOURNIQUET_LABELS.protect])) {
    return { skip: `pod ${where} is labelled ${TOURNIQUET_LABELS.protect}=true` };
  }
  return { value: pod };
}

/** Instance id from `aws:///<az>/<instance-id>`. */
export function instanceIdOfNode(node: V1Node): string | null {
  return /\/(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? '')?.[1] ?? null;
}

/** The EC2 instance behind a node target; node-of-pod reads the pod's `spec.nodeName`. */
export async function resolveInstanceId(
  ctx: ActionContext,
  target: NodeTarget,
): Promise<Resolved<string>> {
  if (target.kind === 'node') return { value: target.instanceId };
  const kube = await ctx.kube();
  const pod = await kube.readPod(target.namespace, target.name);
  const nodeName = pod?.spec?.nodeName;
  if (!nodeName)
    return { skip: `pod ${target.namespace}/${target.name} no longer exists or is not scheduled` };
  const node = await kube.readNode(nodeName);
  const instanceId = node ? instanceIdOfNode(node) : null;
  if (!instanceId) return { skip: `node ${nodeName} has no AWS providerID` };
  return { value: instanceId };
}

export async function describeInstance(
  ctx: ActionContext,
  instanceId: string,
): Promise<Resolved<Instance>> {
  try {
    const { Reservations = [] } = await ctx.aws.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
    );
    const instance = Reservations.flatMap((r) => r.Instances ?? [])[0];
    if (!instance || instance.State?.Name === 'terminated')
      return { skip: `instance ${instanceId} no longer exists` };
    if (isProtect(instance.Tags?.find((t) => t.Key === TOURNIQUET_LABELS.protect)?.Value)) {
      return { skip: `instance ${instanceId} is tagged ${TOURNIQUET_LABELS.protect}=true` };
    }
    return { value: instance };
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidInstanceID.NotFound') {
      return { skip: `instance ${instanceId} no longer exists` };
    }
    throw error;
  }
}

/** Node target → running, unprotected EC2 instance. */
export async function resolveInstance(
  ctx: ActionContext,
  target: NodeTarget,
): Promise<Resolved<Instance>> {
  const id = await resolveInstanceId(ctx, target);
  return 'skip' in id ? id : describeInstance(ctx, id.value);
}

const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** Role name behind a role target: the ARN, a service account's IRSA annotation, an instance profile. */
export async function resolveRoleName(
  ctx: ActionContext,
  target: RoleTarget,
): Promise<Resolved<string>> {
  let name: string;
  if (target.kind === 'role') {
    name = roleName(target.arn);
  } else if (target.kind === 'serviceaccount-role') {
    const sa = await (await ctx.kube()).readServiceAccount(target.namespace, target.name);
    const arn = sa?.metadata?.annotations?.[IRSA_ANNOTATION];
    if (!sa) return { skip: `service account ${target.namespace}/${target.name} does not exist` };
    if (!arn)
      return {
        skip: `service account ${target.namespace}/${target.name} has no IRSA role (${IRSA_ANNOTATION})`,
      };
    name = roleName(arn);
  } else {
    const profile = target.arn.slice(
      target.arn.indexOf(':instance-profile/') + ':instance-profile/'.length,
    );
    const { InstanceProfile } = await ctx.aws.iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: profile.split('/').pop() }),
    );
    const role = InstanceProfile?.Roles?.[0]?.RoleName;
    if (!role) return { skip: `instance profile ${profile} has no role` };
    name = role;
  }
  // IAM APIs take the bare name; a path is part of the ARN only.
  name = name.split('/').pop() as string;
  let Tags: Array<{ Key?: string; Value?: string }>;
  try {
    ({ Tags = [] } = await ctx.aws.iam.send(new ListRoleTagsCommand({ RoleName: name })));
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchEntityException')
      return { skip: `role ${name} does not exist` };
    throw error;
  }
  if (isProtect(Tags.find((t) => t.Key === TOURNIQUET_LABELS.protect)?.Value)) {
    return { skip: `role ${name} is tagged ${TOURNIQUET_LABELS.protect}=true` };
  }
  return { value: name };
}

/** Quarantine security group for a VPC, from the cluster config. */
export function quarantineGroupFor(ctx: ActionContext, vpcId: string | undefined): string | null {
  if (!vpcId) return null;
  return ctx.cluster?.quarantineSecurityGroups[vpcId] ?? null;
}
