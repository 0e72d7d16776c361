import type { IncidentHead, JournalEntry } from '@tourniquet/aws';
import {
  type Finding,
  type FindingContext,
  NO_EXPOSURE,
  ORIGINS,
  type Origin,
  type Severity,
  type Target,
} from '@tourniquet/core';

/**
 * The finding a release execution carries, rebuilt from the incident record (the record keeps
 * sightings, not the raw event). It only labels the approval request and the ticket: every undo
 * acts on what its journal entry recorded, wherever that entry says the change was made.
 */
export function releaseFinding(
  head: IncidentHead,
  entries: readonly JournalEntry[],
): Omit<Finding, 'raw'> {
  const sightings = Object.values(head.findings).sort((a, b) =>
    b.lastSeen.localeCompare(a.lastSeen),
  );
  const latest = sightings[0];
  const origin: Origin = (ORIGINS as readonly string[]).includes(latest?.origin ?? '')
    ? (latest?.origin as Origin)
    : 'guardduty';
  const subjects = entries.map((e) => e.subject as Target);
  const pod = subjects.find((s) => s.kind === 'pod');
  const node = subjects.find((s) => s.kind === 'node' || s.kind === 'instance');
  const role = subjects.find((s) => s.kind === 'role');
  return {
    origin,
    id: latest?.id ?? head.key,
    eventId: '',
    type: latest?.type ?? head.title,
    title: head.title,
    severity: head.severity as Severity,
    account: head.account,
    region: head.region,
    cluster: head.cluster,
    pod: pod
      ? { namespace: pod.namespace, name: pod.name, uid: pod.uid, serviceAccount: null }
      : null,
    node: node ? { instanceId: node.instanceId, instanceProfileArn: null, tags: {} } : null,
    role: role ? { arn: role.arn, serviceAccount: null } : null,
    resource: null,
    firstSeen: sightings.at(-1)?.firstSeen ?? head.createdAt,
    lastSeen: latest?.lastSeen ?? head.updatedAt,
    count: sightings.reduce((n, s) => n + s.count, 0),
    sample: false,
    exposure: NO_EXPOSURE,
    context: contextFor(origin),
  };
}

function contextFor(origin: Origin): FindingContext {
  switch (origin) {
    case 'guardduty':
      return {
        origin,
        resourceType: '',
        featureName: null,
        score: 0,
        workloadType: null,
        workloadName: null,
        workloadNamespace: null,
        principalType: null,
        instanceDetails: false,
        instanceTagged: false,
        credentialInstanceProfile: null,
      };
    case 'config':
      return {
        origin,
        ruleName: '',
        rule: '',
        identity: { by: 'name', problem: null },
        compliance: '',
        previousCompliance: null,
      };
    case 'cloudtrail':
      return {
        origin,
        eventName: '',
        eventSource: '',
        sourceIp: '',
        errorCode: null,
        identity: 'other',
        oidcIssuer: null,
        serviceAccount: null,
        requestedRoleArn: null,
      };
  }
}
