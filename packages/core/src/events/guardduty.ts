import type { Finding, HostExposure, NodeRef, PodRef, RoleRef } from '../finding';
import { severityFromScore } from '../severity';
import * as z from '../zod';
import {
  accountId,
  type Envelope,
  nonEmpty,
  parseOrThrow,
  regionName,
  tagRecord,
  timestamp,
} from './common';
import { INSTANCE_ID } from './fieldChecks';
import { guardDutyDetailFastPath } from './guardDutyFastPath';

// Every member below `resource` is optional in the GuardDuty API model (Resource,
// KubernetesWorkloadDetails, InstanceDetails, Tag): a missing or null one narrows the plan, never
// rejects the finding.
const tag = z.object({ key: z.nullish(z.string()), value: z.nullish(z.string()) });
const nullableBool = z.nullish(z.boolean());

const container = z.object({
  name: z.nullish(z.string()),
  image: z.nullish(z.string()),
  securityContext: z.nullish(z.object({ privileged: nullableBool })),
});

const workload = z.object({
  name: z.nullish(z.string()),
  type: z.nullish(z.string()),
  uid: z.nullish(z.string()),
  namespace: z.nullish(z.string()),
  serviceAccountName: z.nullish(z.string()),
  hostNetwork: nullableBool,
  hostPID: nullableBool,
  hostIPC: nullableBool,
  containers: z.nullish(z.array(container)),
  volumes: z.nullish(
    z.array(z.object({ hostPath: z.nullish(z.object({ path: z.nullish(z.string()) })) })),
  ),
});

const instanceDetails = z.object({
  instanceId: z.nullish(z.string().check(z.regex(INSTANCE_ID, 'expected an EC2 instance id'))),
  iamInstanceProfile: z.nullish(z.object({ arn: z.nullish(z.string()) })),
  tags: z.nullish(z.array(tag)),
});

export const guardDutyDetailSchema = z.object({
  id: nonEmpty,
  accountId,
  region: regionName,
  type: nonEmpty,
  severity: z.number().check(z.minimum(0)).check(z.maximum(10)),
  title: z.nullish(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
  resource: z.object({
    resourceType: z.nullish(z.string()),
    eksClusterDetails: z.nullish(z.object({ name: z.nullish(z.string()) })),
    kubernetesDetails: z.nullish(z.object({ kubernetesWorkloadDetails: z.nullish(workload) })),
    instanceDetails: z.nullish(instanceDetails),
    accessKeyDetails: z.nullish(
      z.object({ userName: z.nullish(z.string()), userType: z.nullish(z.string()) }),
    ),
  }),
  service: z.nullish(
    z.object({
      featureName: z.nullish(z.string()),
      count: z.nullish(z.int().check(z.minimum(0))),
      eventFirstSeen: z.nullish(timestamp),
      eventLastSeen: z.nullish(timestamp),
      additionalInfo: z.nullish(z.object({ sample: z.optional(z.unknown()) })),
    }),
  ),
});
export type GuardDutyDetail = z.infer<typeof guardDutyDetailSchema>;

/**
 * Finding types that describe a container breaking out to, or mounting, the host. Together with
 * privileged / hostNetwork / hostPID pods they make a pod compromise a node compromise.
 */
const ESCAPE_TYPE =
  /ContainerMountsHostDirectory|Escape|SensitiveMount|DockerSocketAccessed|CGroupsReleaseAgentModified|PrivilegedContainer/;

/** Findings on an EC2 instance role's credentials used elsewhere; the instance profile names the role. */
const INSTANCE_CREDENTIALS = /InstanceCredentialExfiltration/;

export function normaliseGuardDuty(envelope: Envelope): Finding {
  const detail =
    guardDutyDetailFastPath(envelope.detail) ??
    parseOrThrow(guardDutyDetailSchema, envelope.detail, 'GuardDuty finding', 'detail');
  return guardDutyFinding(envelope, detail);
}

/** The finding a GuardDuty event describes, from its validated `detail`. */
export function guardDutyFinding(envelope: Envelope, detail: GuardDutyDetail): Finding {
  const { resource } = detail;
  const service = detail.service ?? {};
  const sample = isSample(service.additionalInfo?.sample);
  const resourceType = resource.resourceType || inferredResourceType(resource);
  const node = nodeRef(resource.instanceDetails);
  const workloadDetails = resource.kubernetesDetails?.kubernetesWorkloadDetails ?? null;
  const cluster = resource.eksClusterDetails?.name || clusterFromTags(node) || null;
  const pod = podRef(workloadDetails, sample);
  return {
    origin: 'guardduty',
    id: detail.id,
    eventId: envelope.id,
    type: detail.type,
    title: detail.title ?? detail.type,
    severity: severityFromScore(detail.severity),
    account: detail.accountId,
    region: detail.region,
    cluster,
    pod,
    node,
    role: roleRef(detail),
    resource: { type: resourceType, id: resourceId(detail, resourceType, cluster, node) },
    firstSeen: service.eventFirstSeen ?? detail.createdAt,
    lastSeen: service.eventLastSeen ?? detail.updatedAt,
    count: service.count ?? 1,
    sample,
    exposure: exposure(detail.type, workloadDetails),
    context: {
      origin: 'guardduty',
      resourceType,
      featureName: service.featureName ?? null,
      score: detail.severity,
      workloadType: workloadDetails?.type || null,
      workloadName: workloadDetails?.name || null,
      workloadNamespace: workloadDetails?.namespace || null,
      principalType: resource.accessKeyDetails?.userType ?? null,
      instanceDetails: Boolean(resource.instanceDetails),
      credentialInstanceProfile: INSTANCE_CREDENTIALS.test(detail.type)
        ? resource.instanceDetails?.iamInstanceProfile?.arn || null
        : null,
      instanceTagged: Boolean(resource.instanceDetails?.tags?.length),
    },
    raw: envelope,
  };
}

type Workload = z.infer<typeof workload>;

/**
 * The API reference documents `Pod`, audit-log findings carry `pods`; "Generate sample findings"
 * fills the placeholder `GeneratedFindingKubernetesWorkloadType`, taken as a pod only on a sample.
 */
export function isPodWorkload(type: string | null | undefined, sample: boolean): boolean {
  const t = type?.toLowerCase();
  return t === 'pod' || t === 'pods' || (sample && t === 'generatedfindingkubernetesworkloadtype');
}

function podRef(details: Workload | null, sample: boolean): PodRef | null {
  if (!isPodWorkload(details?.type, sample) || !details?.namespace || !details.name) return null;
  return {
    namespace: details.namespace,
    name: details.name,
    uid: details.uid || null,
    serviceAccount: details.serviceAccountName || null,
  };
}

function nodeRef(details: z.infer<typeof instanceDetails> | null | undefined): NodeRef | null {
  if (!details?.instanceId) return null;
  return {
    instanceId: details.instanceId,
    instanceProfileArn: details.iamInstanceProfile?.arn ?? null,
    tags: tagRecord(details.tags),
  };
}

function clusterFromTags(node: NodeRef | null): string | null {
  if (!node) return null;
  const named = node.tags['eks:cluster-name'];
  if (named) return named;
  for (const key of Object.keys(node.tags)) {
    if (key.startsWith('kubernetes.io/cluster/')) return key.slice('kubernetes.io/cluster/'.length);
  }
  return null;
}

/** Without `resourceType`, the details the finding does carry say what it is about. */
function inferredResourceType(resource: GuardDutyDetail['resource']): string {
  if (resource.eksClusterDetails || resource.kubernetesDetails) return 'EKSCluster';
  if (resource.accessKeyDetails) return 'AccessKey';
  if (resource.instanceDetails) return 'Instance';
  return 'Unknown';
}

/** Credential findings name the role whose session leaked (`accessKeyDetails.userName`). */
function roleRef(detail: GuardDutyDetail): RoleRef | null {
  const keys = detail.resource.accessKeyDetails;
  if (!keys?.userName || keys.userType !== 'AssumedRole') return null;
  return {
    arn: `arn:${partitionOf(detail.region)}:iam::${detail.accountId}:role/${keys.userName}`,
    serviceAccount: null,
  };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function resourceId(
  detail: GuardDutyDetail,
  type: string,
  cluster: string | null,
  node: NodeRef | null,
): string {
  const r = detail.resource;
  if (type === 'AccessKey') return r.accessKeyDetails?.userName || 'unknown';
  if (type === 'Instance' && node) return node.instanceId;
  if (type === 'EKSCluster' && cluster) return cluster;
  return detail.id;
}

/** `additionalInfo.sample` is a boolean in the API and occasionally the string "true". */
function isSample(value: unknown): boolean {
  return value === true || value === 'true';
}

function exposure(type: string, details: Workload | null): HostExposure {
  const containers = details?.containers ?? [];
  return {
    privileged: containers.some((c) => c.securityContext?.privileged === true),
    hostNetwork: details?.hostNetwork === true,
    hostPID: details?.hostPID === true,
    hostPathMount: (details?.volumes ?? []).some((v) => Boolean(v.hostPath)),
    escapeFinding: ESCAPE_TYPE.test(type),
  };
}
