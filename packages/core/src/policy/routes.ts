import type { PlaybookName } from '../actions';
import type { ClusterConfig } from '../config/config';
import { isPodWorkload } from '../events/guardduty';
import type { CloudTrailContext, ConfigContext, Finding, GuardDutyContext } from '../finding';
import type { CidrSet } from './cidr';
import { configRuleRoute, isKnownConfigRule } from './configRules';

export interface RouteContext {
  /** The configured cluster the finding belongs to, when one matches. */
  cluster: ClusterConfig | null;
  egress: CidrSet | null;
}

export interface Route {
  playbook: PlaybookName | null;
  reason: string;
}

type Rule<C> = (f: Finding, c: C, ctx: RouteContext) => Route | null;

const route = (playbook: PlaybookName | null, reason: string): Route => ({ playbook, reason });

/** Resource types a Config rule can name that Tourniquet can remediate or ticket. */
const CONFIG_RESOURCE_TYPES = new Set([
  'AWS::EKS::Cluster',
  'AWS::EC2::Instance',
  'AWS::EC2::SecurityGroup',
]);

/** GuardDuty: first matching rule wins. */
const GUARDDUTY_RULES: ReadonlyArray<Rule<GuardDutyContext>> = [
  (f, c) =>
    c.resourceType === 'EKSCluster' && f.pod && !f.cluster
      ? route(
          'ticket-only',
          `the finding names pod ${f.pod.namespace}/${f.pod.name} but no cluster (resource.eksClusterDetails.name is missing)`,
        )
      : null,
  (f, c) =>
    c.resourceType === 'EKSCluster' && f.pod
      ? route(
          'contain-pod',
          `pod-level compromise: ${f.type} on pod ${f.pod.namespace}/${f.pod.name}`,
        )
      : null,
  (f, c) =>
    c.resourceType === 'EKSCluster' && isPodWorkload(c.workloadType, f.sample)
      ? route(
          'ticket-only',
          `the finding names a ${c.workloadType} workload without its ${c.workloadName ? 'namespace' : 'name'} (kubernetesWorkloadDetails.${c.workloadName ? 'namespace' : 'name'} is missing), so no pod can be isolated`,
        )
      : null,
  (_f, c) =>
    c.resourceType === 'EKSCluster' && c.workloadType
      ? route(
          'ticket-only',
          `the finding names a ${c.workloadType} workload (${c.workloadName ?? 'unnamed'}), not a running pod to isolate`,
        )
      : null,
  (f, c) =>
    c.resourceType === 'EKSCluster'
      ? route('ticket-only', `cluster-level finding ${f.type} names no workload to contain`)
      : null,
  (f, c) => {
    if (c.resourceType !== 'Instance') return null;
    if (!f.node)
      return route(
        'ticket-only',
        `the finding names no EC2 instance (resource.instanceDetails${c.instanceDetails ? '.instanceId' : ''} is missing)`,
      );
    if (f.cluster)
      return route(
        'contain-node',
        `node-level compromise: ${f.type} on EKS node ${f.node.instanceId}`,
      );
    return c.instanceTagged
      ? route(null, `instance ${f.node.instanceId} is not an EKS node (no eks:cluster-name tag)`)
      : route(
          'ticket-only',
          `instance ${f.node.instanceId} carries no tags (resource.instanceDetails.tags is missing), so whether it is an EKS node is unknown`,
        );
  },
  (f, c) =>
    c.credentialInstanceProfile
      ? route(
          'revoke-identity',
          `credentials of the instance role of ${c.credentialInstanceProfile} used anomalously: ${f.type}`,
        )
      : null,
  (f, c) => {
    if (c.resourceType !== 'AccessKey') return null;
    if (f.role)
      return route(
        'revoke-identity',
        `credentials of role ${f.role.arn} used anomalously: ${f.type}`,
      );
    return route(
      'ticket-only',
      c.principalType
        ? `${c.principalType} credentials are not a role session Tourniquet can revoke`
        : 'the finding names no principal type (resource.accessKeyDetails.userType is missing), so no role session can be revoked',
    );
  },
  (f, c) =>
    c.resourceType === 'Unknown'
      ? route(
          'ticket-only',
          `the finding ${f.type} names no resource (resource.resourceType and its details are missing)`,
        )
      : null,
  (_f, c) => route(null, `GuardDuty ${c.resourceType} findings are not EKS findings`),
];

const CONFIG_RULE_ROUTES: ReadonlyArray<Rule<ConfigContext>> = [
  (_f, c) =>
    c.compliance !== 'NON_COMPLIANT'
      ? route(null, `the resource is ${c.compliance} with ${c.ruleName}; nothing to remediate`)
      : null,
  (f) =>
    f.resource && !CONFIG_RESOURCE_TYPES.has(f.resource.type)
      ? route(null, `${f.resource.type} resources are outside Tourniquet's scope`)
      : null,
  (f, c) => {
    const action = configRuleRoute(c.rule).action;
    if (action)
      return route(
        'remediate-config',
        `${c.ruleName}: ${f.resource?.type} ${f.resource?.id} is NON_COMPLIANT → ${action}${identified(c)}`,
      );
    if (isKnownConfigRule(c.rule))
      return route(
        'ticket-only',
        `${c.ruleName} has no automatic remediation (${configRuleRoute(c.rule).description})${identified(c)}`,
      );
    const { identity } = c;
    if (identity.by === 'source' && (identity.owner !== 'AWS' || !identity.sourceIdentifier))
      return route(
        'ticket-only',
        `${c.ruleName} is a custom rule (${identity.owner}), not a managed rule Tourniquet remediates`,
      );
    if (identity.by === 'source')
      return route(
        'ticket-only',
        `${c.ruleName} is managed rule ${identity.sourceIdentifier}, which Tourniquet does not remediate`,
      );
    return route(
      'ticket-only',
      `${c.ruleName} is not a rule Tourniquet remediates${identified(c)}`,
    );
  },
];

/** How the rule was identified, when the name alone does not say it. */
function identified(c: ConfigContext): string {
  const { identity } = c;
  if (identity.by === 'name') return identity.problem ? ` (${identity.problem})` : '';
  return c.ruleName === c.rule ? '' : ` (managed rule ${identity.sourceIdentifier})`;
}

/**
 * CloudTrail IRSA: an AssumeRoleWithWebIdentity, or a call made with its session, is anomalous
 * when it comes from outside the cluster's egress CIDRs, or when the assume was AccessDenied
 * (a token tried on a role that does not trust it: the token, not that role, is compromised).
 */
const CLOUDTRAIL_RULES: ReadonlyArray<Rule<CloudTrailContext>> = [
  (_f, c) =>
    c.identity === 'other'
      ? route(null, 'the caller is not an IRSA web identity or session')
      : null,
  (_f, c) => {
    if (c.identity !== 'web-identity' || !c.errorCode) return null;
    const asked = c.requestedRoleArn ?? 'an unnamed role';
    if (c.errorCode !== 'AccessDenied')
      return route(
        'ticket-only',
        `AssumeRoleWithWebIdentity for ${asked} failed with ${c.errorCode}: no session was issued`,
      );
    if (!c.serviceAccount)
      return route(
        'ticket-only',
        `AssumeRoleWithWebIdentity for ${asked} was denied, but the event names no service account to contain`,
      );
    const caller = `system:serviceaccount:${c.serviceAccount.namespace}:${c.serviceAccount.name}`;
    return route(
      'revoke-identity',
      `AssumeRoleWithWebIdentity by ${caller} for ${asked} was denied: that service account's token is treated as compromised and its own IRSA role is contained; the role it asked for is the attacker's choice and not a target`,
    );
  },
  (f) => (f.role ? null : route('ticket-only', 'the event names no IAM role to revoke')),
  (_f, c, ctx) =>
    ctx.cluster
      ? null
      : route(
          'ticket-only',
          `OIDC issuer ${c.oidcIssuer} belongs to no configured cluster, so its egress CIDRs are unknown`,
        ),
  (_f, _c, ctx) =>
    ctx.egress && ctx.egress.size > 0
      ? null
      : route(
          'ticket-only',
          `cluster ${ctx.cluster?.name} has no egressCidrs configured; cannot tell a stolen token from normal use`,
        ),
  (_f, c, ctx) => {
    const inside = ctx.egress?.contains(c.sourceIp);
    if (inside === undefined)
      return route(
        null,
        `the call came through an AWS service (${c.sourceIp}), not from the network`,
      );
    if (inside)
      return route(
        null,
        `source ${c.sourceIp} is inside ${ctx.cluster?.name}'s egress CIDRs: normal IRSA use`,
      );
    return route(
      'revoke-identity',
      `IRSA credentials of ${ctx.cluster?.name} used from ${c.sourceIp}, outside the cluster's egress CIDRs`,
    );
  },
];

function firstMatch<C>(rules: ReadonlyArray<Rule<C>>, f: Finding, c: C, ctx: RouteContext): Route {
  for (const rule of rules) {
    const matched = rule(f, c, ctx);
    if (matched) return matched;
  }
  return route(null, 'no routing rule matched');
}

/** Which playbook a finding gets, and why (before the safety rails). */
export function routeFinding(f: Finding, ctx: RouteContext): Route {
  const c = f.context;
  switch (c.origin) {
    case 'guardduty':
      return firstMatch(GUARDDUTY_RULES, f, c, ctx);
    case 'config':
      return firstMatch(CONFIG_RULE_ROUTES, f, c, ctx);
    case 'cloudtrail':
      return firstMatch(CLOUDTRAIL_RULES, f, c, ctx);
  }
}
