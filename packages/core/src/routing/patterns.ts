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
    description: 'any API call made with credentials from an EKS OIDC (IRSA) session',
    pattern: {
      source: [{ prefix: 'aws.' }],
      'detail-type': [CLOUDTRAIL],
      detail: {
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
