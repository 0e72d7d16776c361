import { z } from 'zod';
import type { Finding, HostExposure, NodeRef, PodRef, RoleRef } from '../finding';
import { severityFromScore } from '../severity';
import {
  accountId,
  type Envelope,
  nonEmpty,
  parseOrThrow,
  regionName,
  tagRecord,
  timestamp,
} from './common';

const tag = z.object({ key: z.string(), value: z.string() });
const nullableBool = z.boolean().nullish();

const container = z.object({
  name: z.string().nullish(),
  image: z.string().nullish(),
  securityContext: z.object({ privileged: nullableBool }).nullish(),
});

const workload = z.object({
  name: nonEmpty,
  type: nonEmpty,
  uid: z.string().nullish(),
  namespace: z.string().nullish(),
  serviceAccountName: z.string().nullish(),
  hostNetwork: nullableBool,
  hostPID: nullableBool,
  hostIPC: nullableBool,
  containers: z.array(container).nullish(),
  volumes: z.array(z.object({ hostPath: z.object({ path: z.string() }).nullish() })).nullish(),
});

const instanceDetails = z.object({
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id'),
  iamInstanceProfile: z.object({ arn: z.string().nullish() }).nullish(),
  tags: z.array(tag).nullish(),
});

const detailSchema = z.object({
  id: nonEmpty,
  accountId,
  region: regionName,
  type: nonEmpty,
  severity: z.number().min(0).max(10),
  title: z.string().nullish(),
  createdAt: timestamp,
  updatedAt: timestamp,
  resource: z.object({
    resourceType: nonEmpty,
    eksClusterDetails: z.object({ name: nonEmpty }).nullish(),
    kubernetesDetails: z.object({ kubernetesWorkloadDetails: workload.nullish() }).nullish(),
    instanceDetails: instanceDetails.nullish(),
    accessKeyDetails: z
      .object({ userName: z.string().nullish(), userType: z.string().nullish() })
      .nullish(),
  }),
  service: z.object({
    featureName: z.string().nullish(),
    count: z.number().int().min(0).nullish(),
    eventFirstSeen: timestamp.nullish(),
    eventLastSeen: timestamp.nullish(),
    additionalInfo: z.object({ sample: z.unknown().optional() }).nullish(),
  }),
});
type GuardDutyDetail = z.infer<typeof detailSchema>;

/**
 * Finding types that describe a container breaking out to, or mounting, the host. Together with
 * privileged / hostNetwork / hostPID pods they make a pod compromise a node compromise.
 */
const ESCAPE_TYPE =
  /ContainerMountsHostDirectory|Escape|SensitiveMount|DockerSocketAccessed|CGroupsReleaseAgentModified|PrivilegedContainer/;

export function normaliseGuardDuty(envelope: Envelope): Finding {
  const detail = parseOrThrow(detailSchema, envelope.detail, 'GuardDuty finding', 'detail');
  const { resource, service } = detail;
  const node = nodeRef(resource.instanceDetails);
  const workloadDetails = resource.kubernetesDetails?.kubernetesWorkloadDetails ?? null;
  const cluster = resource.eksClusterDetails?.name ?? clusterFromTags(node) ?? null;
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
    pod: podRef(workloadDetails),
    node,
    role: roleRef(detail),
    resource: { type: resource.resourceType, id: resourceId(detail, cluster, node) },
    firstSeen: service.eventFirstSeen ?? detail.createdAt,
    lastSeen: service.eventLastSeen ?? detail.updatedAt,
    count: service.count ?? 1,
    sample: isSample(service.additionalInfo?.sample),
    exposure: exposure(detail.type, workloadDetails),
    context: {
      origin: 'guardduty',
      resourceType: resource.resourceType,
      featureName: service.featureName ?? null,
      score: detail.severity,
      workloadType: workloadDetails?.type ?? null,
      workloadName: workloadDetails?.name ?? null,
      principalType: resource.accessKeyDetails?.userType ?? null,
    },
    raw: envelope,
  };
}

type Workload = z.infer<typeof workload>;

function podRef(details: Workload | null): PodRef | null {
  if (details?.type !== 'pods' || !details.namespace) return null;
  return {
    namespace: details.namespace,
    name: details.name,
    uid: details.uid || null,
    serviceAccount: details.serviceAccountName || null,
  };
}

function nodeRef(details: z.infer<typeof instanceDetails> | null | undefined): NodeRef | null {
  if (!details) return null;
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

function resourceId(detail: GuardDutyDetail, cluster: string | null, node: NodeRef | null): string {
  const r = detail.resource;
  if (r.resourceType === 'AccessKey') return r.accessKeyDetails?.userName ?? 'unknown';
  if (r.resourceType === 'Instance' && node) return node.instanceId;
  if (r.resourceType === 'EKSCluster' && cluster) return cluster;
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
