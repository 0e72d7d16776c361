import { type Finding, normaliseEvent } from '@tourniquet/core';

/** A node as an event describes it (GuardDuty `instanceDetails`). */
export interface NodeFact {
  instanceId: string;
  name: string | null;
  ip: string | null;
  subnet: string | null;
  vpc: string | null;
  az: string | null;
  eniId: string | null;
  securityGroups: Array<{ id: string; name: string }>;
  instanceProfile: string | null;
  tags: Record<string, string>;
}

/** A pod as an event describes it (GuardDuty `kubernetesWorkloadDetails`). */
export interface PodFact {
  namespace: string;
  name: string;
  uid: string | null;
  serviceAccount: string | null;
  hostNetwork: boolean;
  privileged: boolean;
  image: string | null;
}

/** What one event says about the environment: the ids a scenario must carry to match it. */
export interface EventFact {
  source: string;
  finding: Finding;
  vpc: string | null;
  node: NodeFact | null;
  pod: PodFact | null;
  /** The IRSA issuer a web-identity call names (CloudTrail). */
  oidcIssuer: string | null;
}

/** The facts of every event that normalises; the others are left to triage to reject. */
export function eventFacts(inputs: ReadonlyArray<{ source: string; event: unknown }>): EventFact[] {
  const facts: EventFact[] = [];
  for (const { source, event } of inputs) {
    let finding: Finding;
    try {
      finding = normaliseEvent(event);
    } catch {
      continue;
    }
    const resource = record(record(record(event).detail).resource);
    const instance = record(resource.instanceDetails);
    const workload = record(record(resource.kubernetesDetails).kubernetesWorkloadDetails);
    const cluster = record(resource.eksClusterDetails);
    const context = finding.context as { oidcIssuer?: string | null };
    facts.push({
      source,
      finding,
      vpc: text(cluster.vpcId),
      node: finding.node ? nodeFact(finding.node.instanceId, instance) : null,
      pod: finding.pod ? podFact(finding.pod, workload) : null,
      oidcIssuer: context.oidcIssuer ?? null,
    });
  }
  return facts;
}

function nodeFact(instanceId: string, instance: Record<string, unknown>): NodeFact {
  const enis = Array.isArray(instance.networkInterfaces) ? instance.networkInterfaces : [];
  const eni = record(enis[0]);
  const groups = Array.isArray(eni.securityGroups) ? eni.securityGroups.map(record) : [];
  const profile = text(record(instance.iamInstanceProfile).arn);
  const tags = Array.isArray(instance.tags) ? instance.tags.map(record) : [];
  return {
    instanceId,
    name: text(eni.privateDnsName),
    ip: text(eni.privateIpAddress),
    subnet: text(eni.subnetId),
    vpc: text(eni.vpcId),
    az: text(instance.availabilityZone),
    eniId: text(eni.networkInterfaceId),
    securityGroups: groups.flatMap((g) => {
      const id = text(g.groupId);
      return id ? [{ id, name: text(g.groupName) ?? id }] : [];
    }),
    instanceProfile: profile ? (profile.split('/').pop() ?? null) : null,
    tags: Object.fromEntries(
      tags.flatMap((t) => {
        const key = text(t.key);
        return key ? [[key, text(t.value) ?? '']] : [];
      }),
    ),
  };
}

function podFact(pod: NonNullable<Finding['pod']>, workload: Record<string, unknown>): PodFact {
  const containers = Array.isArray(workload.containers) ? workload.containers.map(record) : [];
  return {
    namespace: pod.namespace,
    name: pod.name,
    uid: pod.uid,
    serviceAccount: pod.serviceAccount,
    hostNetwork: workload.hostNetwork === true,
    privileged: containers.some((c) => record(c.securityContext).privileged === true),
    image: text(containers[0]?.image),
  };
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
