/**
 * The IRSA identity a role target was reached through: the role is only acted on when its trust
 * policy trusts the incident cluster's OIDC provider for this service account (or, when the
 * event does not name one, for some service account of that cluster).
 */
export interface IrsaSubject {
  serviceAccount: { namespace: string; name: string } | null;
}

/** What a plan step acts on. Some targets are resolved at run time (the node of a pod, …). */
export type Target =
  | { kind: 'pod'; namespace: string; name: string; uid: string | null }
  | { kind: 'node'; instanceId: string }
  | { kind: 'node-of-pod'; namespace: string; name: string }
  | { kind: 'role'; arn: string; irsa?: IrsaSubject }
  | { kind: 'serviceaccount-role'; namespace: string; name: string }
  | { kind: 'instance-profile-role'; arn: string }
  /** `roleArn: null`: the IRSA role named by the service account's annotation, read at run time. */
  | { kind: 'web-identity'; roleArn: string | null; namespace: string; serviceAccount: string }
  | { kind: 'cluster'; name: string }
  | { kind: 'instance'; instanceId: string }
  | { kind: 'security-group'; groupId: string }
  | { kind: 'incident'; key: string };

/** Human- and log-friendly rendering, e.g. `pod/payments/payments-api-7d9f8b6c5-x2kqp`. */
export function renderTarget(target: Target): string {
  switch (target.kind) {
    case 'pod':
    case 'node-of-pod':
    case 'serviceaccount-role':
      return `${target.kind}/${target.namespace}/${target.name}`;
    case 'node':
    case 'instance':
      return `${target.kind}/${target.instanceId}`;
    case 'role':
    case 'instance-profile-role':
      return `${target.kind}/${target.arn}`;
    case 'web-identity':
      return `web-identity/${target.roleArn ?? `serviceaccount-role/${target.namespace}/${target.serviceAccount}`}#system:serviceaccount:${target.namespace}:${target.serviceAccount}`;
    case 'cluster':
      return `cluster/${target.name}`;
    case 'security-group':
      return `security-group/${target.groupId}`;
    case 'incident':
      return `incident/${target.key}`;
  }
}

/** Targets that are the node or belong to it (its instance role): covered by a node's protect tag. */
const NODE_KINDS: ReadonlySet<Target['kind']> = new Set([
  'node',
  'node-of-pod',
  'instance',
  'instance-profile-role',
]);

export function isNodeScoped(target: Target): boolean {
  return NODE_KINDS.has(target.kind);
}
