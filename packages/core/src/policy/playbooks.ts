import type { ActionName, PlaybookName } from '../actions';
import type { Finding } from '../finding';
import { CONFIG_RULES, configRuleRoute } from './configRules';
import type { StepCondition } from './stepConditions';
import type { Target } from './target';

/** A target, or the reason the step cannot have one for this finding. */
export type Resolved = Target | { skip: string };
type TargetRule = (finding: Finding, incidentKey: string) => Resolved;

export interface StepTemplate {
  action: ActionName;
  target: TargetRule;
  /**
   * Optional precondition; `unless` is the skip reason when it does not hold. With `otherwise`,
   * a step whose precondition does not hold is still planned, to run only under that condition
   * (an escalation the finding alone does not call for).
   */
  when?: { test: (finding: Finding) => boolean; unless: string; otherwise?: StepCondition };
}

const skip = (reason: string) => ({ skip: reason });

const targets = {
  pod: (f) =>
    f.pod
      ? { kind: 'pod', namespace: f.pod.namespace, name: f.pod.name, uid: f.pod.uid }
      : skip('the finding names no pod'),
  /** A pod finding without instance details gets its node resolved from the pod at run time. */
  nodeOfPod: (f) => {
    if (f.node) return { kind: 'node', instanceId: f.node.instanceId };
    if (f.pod) return { kind: 'node-of-pod', namespace: f.pod.namespace, name: f.pod.name };
    return skip('the finding names no node');
  },
  node: (f) =>
    f.node ? { kind: 'node', instanceId: f.node.instanceId } : skip('the finding names no node'),
  podRole: (f) => {
    if (f.role) return { kind: 'role', arn: f.role.arn };
    if (f.pod?.serviceAccount) {
      return {
        kind: 'serviceaccount-role',
        namespace: f.pod.namespace,
        name: f.pod.serviceAccount,
      };
    }
    return skip('the finding names no service account, so no IRSA role is known');
  },
  nodeRole: (f) =>
    f.node?.instanceProfileArn
      ? { kind: 'instance-profile-role', arn: f.node.instanceProfileArn }
      : skip('the finding carries no instance profile for the node'),
  role: (f) => {
    // The instance profile names the leaked instance role exactly; `accessKeyDetails.userName`
    // gives only its name (an ARN rebuilt from it would miss any role path).
    const profile = f.context.origin === 'guardduty' && f.context.credentialInstanceProfile;
    if (profile) return { kind: 'instance-profile-role', arn: profile };
    if (!f.role) return skip('the finding names no IAM role');
    // Reached through an IRSA web identity or its session: the role must trust this cluster.
    return isIrsa(f)
      ? { kind: 'role', arn: f.role.arn, irsa: { serviceAccount: f.role.serviceAccount } }
      : { kind: 'role', arn: f.role.arn };
  },
  /** The requesting service account's own IRSA role, read from its annotation at run time. */
  callerRole: (f) => {
    const caller = callerOf(f);
    if ('skip' in caller) return caller;
    return { kind: 'serviceaccount-role', namespace: caller.namespace, name: caller.name };
  },
  callerWebIdentity: (f) => {
    const caller = callerOf(f);
    if ('skip' in caller) return caller;
    return {
      kind: 'web-identity',
      roleArn: null,
      namespace: caller.namespace,
      serviceAccount: caller.name,
    };
  },
  webIdentity: (f) => {
    if (!f.role) return skip('the finding names no IAM role');
    if (!isIrsa(f)) return skip('the credentials are not an IRSA web identity');
    const sa = f.role.serviceAccount;
    if (!sa) {
      return skip(
        'the event does not name the service account; revoke-role-sessions still cuts the sessions issued so far',
      );
    }
    return {
      kind: 'web-identity',
      roleArn: f.role.arn,
      namespace: sa.namespace,
      serviceAccount: sa.name,
    };
  },
  configResource: (f) => {
    const r = f.resource;
    if (r?.type === 'AWS::EKS::Cluster') return { kind: 'cluster', name: r.id };
    if (r?.type === 'AWS::EC2::Instance') return { kind: 'instance', instanceId: r.id };
    if (r?.type === 'AWS::EC2::SecurityGroup') return { kind: 'security-group', groupId: r.id };
    return skip(`no remediation acts on ${r?.type ?? 'an unnamed resource'}`);
  },
  incident: (_f, key) => ({ kind: 'incident', key }),
} satisfies Record<string, TargetRule>;

function isIrsa(f: Finding): boolean {
  return f.context.origin === 'cloudtrail' && f.context.identity !== 'other';
}

/** The service account whose token made a denied AssumeRoleWithWebIdentity, on a known cluster. */
function callerOf(f: Finding): { namespace: string; name: string } | { skip: string } {
  const caller = f.context.origin === 'cloudtrail' ? f.context.serviceAccount : null;
  if (!caller) return skip('the event names no service account');
  if (!f.cluster) {
    return skip(
      `OIDC issuer ${f.context.origin === 'cloudtrail' ? f.context.oidcIssuer : '?'} belongs to no configured cluster, so service account ${caller.namespace}/${caller.name} cannot be looked up`,
    );
  }
  return caller;
}

/** A denied AssumeRoleWithWebIdentity: the requesting token is compromised, not the role it named. */
export function isDeniedWebIdentity(f: Finding): boolean {
  return (
    f.context.origin === 'cloudtrail' &&
    f.context.identity === 'web-identity' &&
    f.context.errorCode === 'AccessDenied'
  );
}

/** Pods whose compromise reaches the node: privileged, host namespaces, host mounts, escapes. */
export function reachesHost(f: Finding): boolean {
  const e = f.exposure;
  return e.privileged || e.hostNetwork || e.hostPID || e.hostPathMount || e.escapeFinding;
}

const openTicket: StepTemplate = { action: 'open-ticket', target: targets.incident };

/**
 * Isolation first: isolate-pod already carries the incident's quarantine label, so cutting the
 * pod off costs one Lambda and no extra Kubernetes round trips; label-pod follows for the
 * annotations, then evidence (the pod is already cut off while it is captured).
 */
const CONTAIN_POD: readonly StepTemplate[] = [
  { action: 'isolate-pod', target: targets.pod },
  { action: 'label-pod', target: targets.pod },
  { action: 'capture-evidence', target: targets.nodeOfPod },
  { action: 'protect-node', target: targets.nodeOfPod },
  { action: 'cordon-node', target: targets.nodeOfPod },
  {
    action: 'isolate-node',
    target: targets.nodeOfPod,
    when: {
      test: reachesHost,
      unless:
        'the pod is not privileged, hostNetwork or hostPID and the finding is not a host escape',
      // A pod that nothing can cut off (no NetworkPolicy enforcer, SGP standard mode) is only
      // contained by cutting its node: escalate to isolate-node, behind its own approval.
      otherwise: 'pod-not-isolated',
    },
  },
  { action: 'revoke-role-sessions', target: targets.podRole },
  openTicket,
];

/**
 * One compromised instance: swap its instance profile for the deny-all one, which cuts that
 * instance's AWS access and no other's. Revoking the node role's sessions hits every instance
 * and pod sharing the role, so it is always an approved step (see `alwaysApproved`).
 */
const quarantineProfile: StepTemplate = {
  action: 'quarantine-instance-profile',
  target: targets.node,
};

const CONTAIN_NODE: readonly StepTemplate[] = [
  { action: 'capture-evidence', target: targets.node },
  { action: 'protect-node', target: targets.node },
  quarantineProfile,
  { action: 'cordon-node', target: targets.node },
  { action: 'isolate-node', target: targets.node },
  { action: 'revoke-role-sessions', target: targets.nodeRole },
  openTicket,
];

const REVOKE_IDENTITY: readonly StepTemplate[] = [
  { action: 'revoke-role-sessions', target: targets.role },
  { action: 'block-web-identity', target: targets.webIdentity },
  openTicket,
];

/**
 * An EC2 instance's role credentials used elsewhere: cut that instance's profile at once (when
 * the finding names the instance), then the role-wide revocation, which needs approval.
 */
const REVOKE_INSTANCE_CREDENTIALS: readonly StepTemplate[] = [
  quarantineProfile,
  ...REVOKE_IDENTITY,
];

const isInstanceCredential = (f: Finding) =>
  f.context.origin === 'guardduty' && Boolean(f.context.credentialInstanceProfile);

/** Contain the identity that asked: its own IRSA role's sessions, and its token on that role. */
const REVOKE_CALLER: readonly StepTemplate[] = [
  { action: 'revoke-role-sessions', target: targets.callerRole },
  { action: 'block-web-identity', target: targets.callerWebIdentity },
  openTicket,
];

/** Ordered steps of each playbook: isolation and evidence before anything destructive. */
export const PLAYBOOK_STEPS: Readonly<
  Record<PlaybookName, (f: Finding) => readonly StepTemplate[]>
> = {
  'contain-pod': () => CONTAIN_POD,
  'contain-node': () => CONTAIN_NODE,
  'revoke-identity': (f) => {
    if (isDeniedWebIdentity(f)) return REVOKE_CALLER;
    return isInstanceCredential(f) ? REVOKE_INSTANCE_CREDENTIALS : REVOKE_IDENTITY;
  },
  'remediate-config': (f) => {
    const action =
      f.context.origin === 'config' ? configRuleRoute(f.context.rule).action : undefined;
    return action ? [{ action, target: targets.configResource }, openTicket] : [openTicket];
  },
  'ticket-only': () => [openTicket],
};

const actionsOf = (...lists: ReadonlyArray<readonly StepTemplate[]>): ActionName[] => [
  ...new Set(lists.flat().flatMap((t) => (t.action === 'open-ticket' ? [] : [t.action]))),
];

/**
 * Every action each playbook can run, in execution order, derived from the step templates above
 * (the ticket excluded: every playbook opens it at the start and updates it at the end). The
 * state machines are built from this, so a plan and its playbook cannot disagree on order.
 */
export const PLAYBOOK_ACTION_ORDER: Readonly<Record<PlaybookName, readonly ActionName[]>> = {
  'contain-pod': actionsOf(CONTAIN_POD),
  'contain-node': actionsOf(CONTAIN_NODE),
  'revoke-identity': actionsOf(REVOKE_INSTANCE_CREDENTIALS, REVOKE_IDENTITY, REVOKE_CALLER),
  'remediate-config': [
    ...new Set(
      Object.values(CONFIG_RULES).flatMap((route) => (route.action ? [route.action] : [])),
    ),
  ],
  'ticket-only': [],
};

const conditionalOf = (...lists: ReadonlyArray<readonly StepTemplate[]>): ActionName[] => [
  ...new Set(lists.flat().flatMap((t) => (t.when?.otherwise ? [t.action] : []))),
];

/** The actions each playbook can plan to run only under a condition (`when.otherwise`). */
export const PLAYBOOK_CONDITIONAL_ACTIONS: Readonly<Record<PlaybookName, readonly ActionName[]>> = {
  'contain-pod': conditionalOf(CONTAIN_POD),
  'contain-node': conditionalOf(CONTAIN_NODE),
  'revoke-identity': conditionalOf(REVOKE_INSTANCE_CREDENTIALS, REVOKE_IDENTITY, REVOKE_CALLER),
  'remediate-config': [],
  'ticket-only': [],
};

/**
 * Steps that need approval whatever the config says: revoking a node instance role's sessions
 * cuts every instance and pod sharing the role, so on-call must see how many and decide.
 */
export function alwaysApproved(action: ActionName, target: { kind: string }): boolean {
  return action === 'revoke-role-sessions' && target.kind === 'instance-profile-role';
}
