import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListRoleTagsCommand,
  type Role,
} from '@aws-sdk/client-iam';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { parseRoleArn, TOURNIQUET_LABELS } from '@tourniquet/core';
import { irsaTrust } from './irsaTrust';
import { decodePolicyDocument, type PolicyDocument } from './policyDocument';
import type { NodeTarget, PodTarget, RoleTarget, WebIdentityTarget } from './targets';
import type { ActionContext, Check } from './types';

/**
 * A resolved value, or why the action does not apply (the step is then skipped). `protected`:
 * an admin-set exemption (config, AWS tag, namespace label) — the skip pages on-call.
 */
export type Resolved<T> = { value: T } | { skip: string; protected?: true };

const isProtect = (value: string | undefined) => value === 'true';
const protectedSkip = (skip: string) => ({ skip, protected: true as const });

/** A skipped resolution as a check result, keeping whether it was a protection. */
export function notApplicable(resolved: { skip: string; protected?: true }): Check<never> {
  return {
    ok: false,
    reason: resolved.skip,
    ...(resolved.protected ? { protected: true as const } : {}),
  };
}

/** The namespace is protected by configuration: known without asking Kubernetes anything. */
export function protectedByConfig(
  ctx: ActionContext,
  namespace: string,
): { skip: string; protected: true } | null {
  return ctx.config.protectedNamespaces.includes(namespace)
    ? protectedSkip(`namespace ${namespace} is protected`)
    : null;
}

/**
 * The pod named by the plan: gone, replaced, or protected pods are reported, not acted on.
 * Only admins can exempt a pod — by configuration or by labelling its namespace; a label on the
 * pod itself is the workload's own choice and means nothing here.
 */
export async function resolvePod(ctx: ActionContext, target: PodTarget): Promise<Resolved<V1Pod>> {
  const where = `${target.namespace}/${target.name}`;
  const configured = protectedByConfig(ctx, target.namespace);
  if (configured) return configured;
  const kube = await ctx.kube();
  const [namespace, pod] = await Promise.all([
    kube.readNamespace(target.namespace),
    kube.readPod(target.namespace, target.name),
  ]);
  if (isProtect(namespace?.metadata?.labels?.[TOURNIQUET_LABELS.protect])) {
    return protectedSkip(
      `namespace ${target.namespace} is labelled ${TOURNIQUET_LABELS.protect}=true`,
    );
  }
  if (!pod) return { skip: `pod ${where} no longer exists` };
  if (target.uid && pod.metadata?.uid !== target.uid) {
    return {
      skip: `pod ${where} was replaced (uid ${pod.metadata?.uid}, finding named ${target.uid})`,
    };
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
      return protectedSkip(`instance ${instanceId} is tagged ${TOURNIQUET_LABELS.protect}=true`);
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

/** A role Tourniquet may act on: IAM's own ARN for it, its trust policy, and why it qualified. */
export interface ResolvedRole {
  /** The bare name IAM APIs take (role names are unique per account, whatever the path). */
  name: string;
  arn: string;
  trustPolicy: PolicyDocument | null;
  /** For an IRSA role: the cluster's OIDC provider and how the trust policy covers the subject. */
  irsa: { providerArn: string; subject: string | null; scope: string } | null;
}

type Subject = { namespace: string; name: string } | null;

/**
 * The role behind a role or web-identity target, authorised rather than parsed: the ARN (from the
 * plan, a service account's annotation or an instance profile) must be in the incident's account
 * and be exactly the ARN IAM reports for that name — path included, since a wrong path would
 * still name the same role. A role reached through IRSA must also trust the incident cluster's
 * OIDC provider for the service account concerned. Anything else is skipped with the reason.
 */
export async function resolveRole(
  ctx: ActionContext,
  target: RoleTarget | WebIdentityTarget,
): Promise<Resolved<ResolvedRole>> {
  let arn: string;
  let irsa: { subject: Subject } | null = null;
  let source = '';
  if (target.kind === 'role') {
    arn = target.arn;
    if (target.irsa) irsa = { subject: target.irsa.serviceAccount };
  } else if (target.kind === 'instance-profile-role') {
    const profile = await instanceProfileRole(ctx, target.arn);
    if ('skip' in profile) return profile;
    arn = profile.value;
    source = ` (role of instance profile ${target.arn})`;
  } else if (target.kind === 'web-identity' && target.roleArn) {
    arn = target.roleArn;
    irsa = { subject: { namespace: target.namespace, name: target.serviceAccount } };
  } else {
    const sa =
      target.kind === 'web-identity'
        ? { namespace: target.namespace, name: target.serviceAccount }
        : { namespace: target.namespace, name: target.name };
    const annotated = await annotatedRole(ctx, sa);
    if ('skip' in annotated) return annotated;
    arn = annotated.value;
    irsa = { subject: sa };
    source = ` (named by service account ${sa.namespace}/${sa.name})`;
  }
  const parts = parseRoleArn(arn);
  if (!parts) return { skip: `${arn}${source} is not an IAM role ARN: not acted on` };
  const account = ctx.cluster?.account ?? ctx.finding?.account;
  if (!account) {
    return { skip: `no configured account to check role ${arn}${source} against: not acted on` };
  }
  if (parts.account !== account) {
    return {
      skip: `role ${arn}${source} is in account ${parts.account}, not the incident's account ${account}: not acted on`,
    };
  }
  let role: Role | undefined;
  try {
    ({ Role: role } = await ctx.aws.iam.send(new GetRoleCommand({ RoleName: parts.name })));
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchEntityException')
      return { skip: `role ${parts.name} does not exist` };
    throw error;
  }
  if (role?.Arn !== arn) {
    return {
      skip: `role ${arn}${source} is not the role IAM has under that name (${role?.Arn}): not acted on`,
    };
  }
  const trustPolicy = decodePolicyDocument(role.AssumeRolePolicyDocument);
  let covered: ResolvedRole['irsa'] = null;
  if (irsa) {
    const checked = checkIrsaTrust(ctx, parts, trustPolicy, irsa.subject);
    if ('skip' in checked) return checked;
    covered = checked.value;
  }
  const { Tags = [] } = await ctx.aws.iam.send(new ListRoleTagsCommand({ RoleName: parts.name }));
  if (isProtect(Tags.find((t) => t.Key === TOURNIQUET_LABELS.protect)?.Value)) {
    return protectedSkip(`role ${parts.name} is tagged ${TOURNIQUET_LABELS.protect}=true`);
  }
  return {
    value: { name: parts.name, arn, trustPolicy, irsa: covered },
  };
}

/** Role name behind a role target (see resolveRole). */
export async function resolveRoleName(
  ctx: ActionContext,
  target: RoleTarget,
): Promise<Resolved<string>> {
  const role = await resolveRole(ctx, target);
  return 'skip' in role ? role : { value: role.value.name };
}

function checkIrsaTrust(
  ctx: ActionContext,
  role: { partition: string; account: string; name: string },
  trustPolicy: PolicyDocument | null,
  subject: Subject,
): Resolved<NonNullable<ResolvedRole['irsa']>> {
  const cluster = ctx.cluster?.name ?? ctx.clusterName ?? 'of the incident';
  const who = subject ? `service account ${subject.namespace}/${subject.name}` : 'service accounts';
  const issuer = ctx.cluster?.oidcIssuer;
  if (!issuer) {
    return {
      skip: `cluster ${cluster} has no oidcIssuer configured, so role ${role.name} cannot be checked to trust its ${who}: not acted on`,
    };
  }
  const sub = subject ? `system:serviceaccount:${subject.namespace}:${subject.name}` : null;
  // An IAM OIDC provider lives in the account of the roles that trust it.
  const providerArn = `arn:${role.partition}:iam::${role.account}:oidc-provider/${issuer}`;
  const trust = trustPolicy
    ? irsaTrust(trustPolicy, { providerArn, issuer, subject: sub })
    : { trusted: false as const, why: 'it has no trust policy' };
  if (!trust.trusted) {
    return {
      skip: `role ${role.name} does not trust cluster ${cluster}'s ${who} (${trust.why}): not acted on`,
    };
  }
  return { value: { providerArn, subject: sub, scope: trust.scope } };
}

/** The role ARN a service account's IRSA annotation names. */
async function annotatedRole(
  ctx: ActionContext,
  sa: { namespace: string; name: string },
): Promise<Resolved<string>> {
  const account = await (await ctx.kube()).readServiceAccount(sa.namespace, sa.name);
  if (!account) return { skip: `service account ${sa.namespace}/${sa.name} does not exist` };
  const arn = account.metadata?.annotations?.[IRSA_ANNOTATION];
  if (!arn) {
    return {
      skip: `service account ${sa.namespace}/${sa.name} has no IRSA role (${IRSA_ANNOTATION})`,
    };
  }
  return { value: arn };
}

/** The role ARN of an instance profile, when IAM's ARN for the profile is exactly the target's. */
async function instanceProfileRole(ctx: ActionContext, arn: string): Promise<Resolved<string>> {
  const profile = arn.slice(arn.indexOf(':instance-profile/') + ':instance-profile/'.length);
  let found: { Arn?: string; Roles?: Role[] } | undefined;
  try {
    ({ InstanceProfile: found } = await ctx.aws.iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: profile.split('/').pop() }),
    ));
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchEntityException')
      return { skip: `instance profile ${arn} does not exist` };
    throw error;
  }
  if (found?.Arn !== arn) {
    return {
      skip: `instance profile ${arn} is not the profile IAM has under that name (${found?.Arn}): not acted on`,
    };
  }
  const role = found.Roles?.[0]?.Arn;
  if (!role) return { skip: `instance profile ${profile} has no role` };
  return { value: role };
}

/** Quarantine security group for a VPC, from the cluster config. */
export function quarantineGroupFor(ctx: ActionContext, vpcId: string | undefined): string | null {
  if (!vpcId) return null;
  return ctx.cluster?.quarantineSecurityGroups[vpcId] ?? null;
}
