import type { Severity } from './severity';

export const ORIGINS = ['guardduty', 'config', 'cloudtrail'] as const;
export type Origin = (typeof ORIGINS)[number];

export interface PodRef {
  namespace: string;
  name: string;
  uid: string | null;
  serviceAccount: string | null;
}

export interface NodeRef {
  instanceId: string;
  /** IAM instance profile of the node, when the finding carries it (for the node role). */
  instanceProfileArn: string | null;
  tags: Readonly<Record<string, string>>;
}

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

export interface RoleRef {
  arn: string;
  /** The Kubernetes service account behind an IRSA role session, when the event names it. */
  serviceAccount: ServiceAccountRef | null;
}

export interface ResourceRef {
  type: string;
  id: string;
}

/** Pod properties that make a compromise reach the node (host escape risk). */
export interface HostExposure {
  privileged: boolean;
  hostNetwork: boolean;
  hostPID: boolean;
  hostPathMount: boolean;
  /** The finding type itself describes a container escape or host mount. */
  escapeFinding: boolean;
}

export interface GuardDutyContext {
  origin: 'guardduty';
  resourceType: string;
  featureName: string | null;
  score: number;
  /** `kubernetesWorkloadDetails.type` (pods, deployments, …) when a workload is named. */
  workloadType: string | null;
  workloadName: string | null;
  workloadNamespace: string | null;
  /** `accessKeyDetails.userType` for credential findings (AssumedRole, IAMUser, Root…). */
  principalType: string | null;
  /** The finding carries `instanceDetails` (with or without an instance id). */
  instanceDetails: boolean;
  /** `instanceDetails.tags` is non-empty: an untagged node cannot be told apart from a non-EKS one. */
  instanceTagged: boolean;
  /**
   * InstanceCredentialExfiltration: the instance profile whose role's credentials leaked
   * (`instanceDetails.iamInstanceProfile.arn`), which names the role exactly (path included).
   */
  credentialInstanceProfile: string | null;
}

/**
 * How a Config rule was identified: by its Source (DescribeConfigRules: the managed rule's
 * identifier, whatever the rule is called), or by its name alone (`tourniquet plan` offline, or
 * when the lookup failed: `problem` says why).
 */
export type ConfigRuleIdentity =
  | { by: 'source'; owner: string; sourceIdentifier: string | null }
  | { by: 'name'; problem: string | null };

export interface ConfigContext {
  origin: 'config';
  ruleName: string;
  /**
   * The managed rule, in the lower-case kebab form of CONFIG_RULES (`eks-endpoint-no-public-access`):
   * from its Source identifier, or guessed from the name (any `securityhub-` prefix and hash
   * suffix removed). A custom rule is `custom:<name>`.
   */
  rule: string;
  identity: ConfigRuleIdentity;
  compliance: string;
  previousCompliance: string | null;
}

export interface CloudTrailContext {
  origin: 'cloudtrail';
  eventName: string;
  eventSource: string;
  sourceIp: string;
  errorCode: string | null;
  /** How the caller relates to IRSA. */
  identity: 'web-identity' | 'irsa-session' | 'other';
  /** OIDC issuer (`oidc.eks.<region>.amazonaws.com/id/<ID>`) of the web identity, if any. */
  oidcIssuer: string | null;
  /** The service account whose token made the call (`system:serviceaccount:<ns>:<sa>`), if named. */
  serviceAccount: ServiceAccountRef | null;
  /**
   * The role an AssumeRoleWithWebIdentity asked for. The caller chose it: when the call failed it
   * describes the attacker, never the victim, so it is ticket text and not `role`.
   */
  requestedRoleArn: string | null;
}

export type FindingContext = GuardDutyContext | ConfigContext | CloudTrailContext;

/** A source-independent description of something wrong (DESIGN §4). */
export interface Finding {
  origin: Origin;
  /** Source identity: GuardDuty finding id, Config rule/resource, CloudTrail event id. */
  id: string;
  /** EventBridge event id that delivered it. */
  eventId: string;
  type: string;
  title: string;
  severity: Severity;
  account: string;
  region: string;
  cluster: string | null;
  pod: PodRef | null;
  node: NodeRef | null;
  role: RoleRef | null;
  resource: ResourceRef | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
  sample: boolean;
  exposure: HostExposure;
  context: FindingContext;
  raw: unknown;
}

export const NO_EXPOSURE: HostExposure = Object.freeze({
  privileged: false,
  hostNetwork: false,
  hostPID: false,
  hostPathMount: false,
  escapeFinding: false,
});
