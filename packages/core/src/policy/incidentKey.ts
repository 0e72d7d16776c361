import type { Finding } from '../finding';

const RESOURCE_KINDS: Readonly<Record<string, string>> = {
  'AWS::EKS::Cluster': 'cluster',
  'AWS::EC2::Instance': 'instance',
  'AWS::EC2::SecurityGroup': 'security-group',
  'AWS::IAM::Role': 'role',
  EKSCluster: 'cluster',
};

/**
 * Stable identity of *what* is affected, not of the event: GuardDuty re-publishes a finding with
 * a growing count and several findings can name one pod, and all of them must land on one
 * incident. Shape: `<account>:<region>:<cluster|->:<kind>:<id>`. IAM is global, so role
 * incidents use region `global` and no cluster: a role misused from two places is one incident.
 */
export function incidentKey(finding: Finding): string {
  const cluster = finding.cluster ?? '-';
  const scope = `${finding.account}:${finding.region}:${cluster}`;
  if (finding.pod) return `${scope}:pod:${finding.pod.namespace}/${finding.pod.name}`;
  if (
    finding.node &&
    finding.context.origin === 'guardduty' &&
    finding.context.resourceType === 'Instance'
  ) {
    return `${scope}:node:${finding.node.instanceId}`;
  }
  if (finding.role) return `${finding.account}:global:-:role:${roleName(finding.role.arn)}`;
  // A service account's token misused (AccessDenied web identity): the identity is the subject.
  const caller = finding.context.origin === 'cloudtrail' ? finding.context.serviceAccount : null;
  if (caller) return `${scope}:serviceaccount:${caller.namespace}/${caller.name}`;
  if (finding.resource) {
    const kind =
      RESOURCE_KINDS[finding.resource.type] ??
      finding.resource.type.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return `${scope}:${kind}:${finding.resource.id}`;
  }
  return `${scope}:finding:${finding.id}`;
}

/** Role name (with path) from a role ARN: `arn:aws:iam::1:role/path/name` → `path/name`. */
export function roleName(arn: string): string {
  const index = arn.indexOf(':role/');
  return index >= 0 ? arn.slice(index + ':role/'.length) : arn;
}
