/**
 * EventBridge rules that deliver events to triage. They are data so that infra/ deploys exactly
 * these and the test suite proves them by real delivery (moto). Patterns stay off fields inside
 * arrays of objects (tags, resources), which moto cannot match.
 */
export type EventPattern = { readonly [key: string]: readonly unknown[] | EventPattern };

export type RuleState = 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface RoutingRule {
  name: string;
  description: string;
  pattern: EventPattern;
  /**
   * CloudTrail read-only management events (AssumeRoleWithWebIdentity, Get*, List*) only reach
   * rules in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state.
   */
  state: RuleState;
}

const GUARDDUTY = { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] } as const;
const CLOUDTRAIL = 'AWS API Call via CloudTrail';

/**
 * The calls of an IRSA session worth a triage: what someone holding a pod's stolen web-identity
 * credentials does first or to do harm: find out who they are, move to another identity,
 * escalate or persist through IAM, read secrets, start or reshape compute, take data out
 * through snapshots and images, and blind the account's detection. Routine reads a workload
 * makes all day (Describe*, Get*, List* of its own resources, KMS, S3 data events) are left
 * out: with every management read of every IRSA pod, triage would run on each (docs/decisions.md).
 */
export const IRSA_SESSION_EVENT_NAMES = [
  // Who am I, and moving to another identity.
  'GetCallerIdentity',
  'AssumeRole',
  'GetSessionToken',
  'GetFederationToken',
  // Privilege escalation and persistence in IAM.
  'CreateUser',
  'CreateAccessKey',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'CreateRole',
  'AttachUserPolicy',
  'AttachRolePolicy',
  'PutUserPolicy',
  'PutRolePolicy',
  'UpdateAssumeRolePolicy',
  'AddUserToGroup',
  'CreatePolicyVersion',
  // Secrets.
  'GetSecretValue',
  'BatchGetSecretValue',
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  // Compute: crypto-mining, footholds, opening the network.
  'RunInstances',
  'StartInstances',
  'ModifyInstanceAttribute',
  'CreateKeyPair',
  'ImportKeyPair',
  'AuthorizeSecurityGroupIngress',
  'CreateFunction20150331',
  'UpdateFunctionCode20150331v2',
  // Data out through snapshots and images shared with another account.
  'ModifySnapshotAttribute',
  'ModifyImageAttribute',
  'CreateSnapshot',
  'PutBucketPolicy',
  'PutBucketAcl',
  // Reconnaissance across the account and the organisation.
  'ListBuckets',
  'ListUsers',
  'ListRoles',
  'GetAccountAuthorizationDetails',
  'ListAccounts',
  'DescribeOrganization',
  // Blinding detection.
  'StopLogging',
  'DeleteTrail',
  'UpdateTrail',
  'PutEventSelectors',
  'DeleteDetector',
  'UpdateDetector',
  'DisassociateFromMasterAccount',
  'StopConfigurationRecorder',
  'DeleteConfigurationRecorder',
];

export const ROUTING_RULES: readonly RoutingRule[] = [
  {
    name: 'guardduty-eks',
    description: 'GuardDuty EKS audit-log and Runtime Monitoring findings on pods and clusters',
    pattern: { ...GUARDDUTY, detail: { resource: { resourceType: ['EKSCluster'] } } },
    state: 'ENABLED',
  },
  {
    name: 'guardduty-eks-node',
    description: 'GuardDuty Runtime Monitoring findings on instances (EKS nodes)',
    pattern: {
      ...GUARDDUTY,
      detail: {
        resource: { resourceType: ['Instance'] },
        service: { featureName: ['RuntimeMonitoring'] },
      },
    },
    state: 'ENABLED',
  },
  {
    name: 'guardduty-credentials',
    description: 'GuardDuty findings on instance or IRSA role credentials used elsewhere',
    pattern: {
      ...GUARDDUTY,
      detail: {
        resource: { resourceType: ['AccessKey'] },
        type: [{ prefix: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration' }],
      },
    },
    state: 'ENABLED',
  },
  {
    name: 'config-noncompliant',
    description:
      'AWS Config rules turning NON_COMPLIANT on EKS clusters, EC2 instances and security groups',
    pattern: {
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: {
        messageType: ['ComplianceChangeNotification'],
        newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
        resourceType: ['AWS::EKS::Cluster', 'AWS::EC2::Instance', 'AWS::EC2::SecurityGroup'],
      },
    },
    state: 'ENABLED',
  },
  {
    name: 'cloudtrail-irsa-assume',
    description: 'sts:AssumeRoleWithWebIdentity by a web identity (IRSA token exchange)',
    pattern: {
      source: ['aws.sts'],
      'detail-type': [CLOUDTRAIL],
      detail: {
        eventSource: ['sts.amazonaws.com'],
        eventName: ['AssumeRoleWithWebIdentity'],
        userIdentity: { type: ['WebIdentityUser'] },
      },
    },
    state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  },
  {
    name: 'cloudtrail-irsa-session',
    description:
      'API calls that matter with stolen credentials (IRSA_SESSION_EVENT_NAMES) made from an EKS OIDC (IRSA) session',
    pattern: {
      source: [{ prefix: 'aws.' }],
      'detail-type': [CLOUDTRAIL],
      detail: {
        eventName: IRSA_SESSION_EVENT_NAMES,
        userIdentity: {
          type: ['AssumedRole'],
          sessionContext: {
            webIdFederationData: {
              federatedProvider: [{ wildcard: 'arn:aws*:iam::*:oidc-provider/oidc.eks.*' }],
            },
          },
        },
      },
    },
    state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  },
];
