// Generated from packages/core/policy/default.yaml by `npm run docs:policy`; do not edit.
export const DEFAULT_POLICY_JSON = `{
  "version": 1,
  "clusters": {},
  "rules": [
    {
      "name": "pod-compromise",
      "description": "GuardDuty finding naming a pod (workload type \`Pod\`/\`pods\`, any case; runtime or audit log), severity ≥ threshold",
      "match": {
        "source": [
          "guardduty"
        ]
      },
      "playbook": "contain-pod",
      "dryRun": false,
      "steps": [
        {
          "action": "isolate-pod",
          "dryRun": false
        },
        {
          "action": "label-pod",
          "dryRun": false
        },
        {
          "action": "capture-evidence",
          "dryRun": false
        },
        {
          "action": "protect-node",
          "dryRun": false
        },
        {
          "action": "cordon-node",
          "dryRun": false
        },
        {
          "action": "isolate-node",
          "dryRun": false,
          "note": "privileged / hostNetwork / hostPID pods, host mounts, escapes; for any other pod only if isolate-pod reports it NOT isolated, then with its own approval request after on-call is paged"
        },
        {
          "action": "revoke-role-sessions",
          "dryRun": false,
          "note": "pod's IRSA role"
        },
        {
          "action": "open-ticket",
          "dryRun": false
        }
      ]
    },
    {
      "name": "node-compromise",
      "description": "GuardDuty Runtime Monitoring on an EKS node (\`resourceType: Instance\`)",
      "match": {
        "source": [
          "guardduty"
        ]
      },
      "playbook": "contain-node",
      "dryRun": false,
      "steps": [
        {
          "action": "capture-evidence",
          "dryRun": false
        },
        {
          "action": "protect-node",
          "dryRun": false
        },
        {
          "action": "quarantine-instance-profile",
          "dryRun": false
        },
        {
          "action": "cordon-node",
          "dryRun": false
        },
        {
          "action": "isolate-node",
          "dryRun": false
        },
        {
          "action": "revoke-role-sessions",
          "dryRun": false,
          "note": "node role, always approved"
        },
        {
          "action": "open-ticket",
          "dryRun": false
        }
      ]
    },
    {
      "name": "stolen-credentials",
      "description": "GuardDuty credential finding on a role (InstanceCredentialExfiltration: the instance profile's role when named); IRSA used from outside the cluster's egress CIDRs (role ARN in the finding's account); AssumeRoleWithWebIdentity AccessDenied: the requesting service account's token is compromised (the role it asked for is the attacker's choice: ticket text only, never a target)",
      "match": {
        "source": [
          "guardduty",
          "cloudtrail"
        ]
      },
      "playbook": "revoke-identity",
      "dryRun": false,
      "steps": [
        {
          "action": "quarantine-instance-profile",
          "dryRun": false,
          "note": "instance credentials, when the finding names the instance"
        },
        {
          "action": "revoke-role-sessions",
          "dryRun": false,
          "note": "always approved on a node instance role; for a denied AssumeRoleWithWebIdentity, the requesting service account's own IRSA role, read from its annotation at run time"
        },
        {
          "action": "block-web-identity",
          "dryRun": false,
          "note": "when the service account is known"
        },
        {
          "action": "open-ticket",
          "dryRun": false
        }
      ]
    },
    {
      "name": "config-remediation",
      "description": "Config NON_COMPLIANT: \`ec2-imdsv2-check\`, \`eks-endpoint-no-public-access\`, \`eks-cluster-logging-enabled\`, \`restricted-ssh\`, \`vpc-sg-open-only-to-authorized-ports\`, whatever the rule is called: triage identifies it by its managed-rule identifier (DescribeConfigRules: Security Hub, CloudFormation/CDK, Control Tower names); \`tourniquet plan\`, offline, by name (\`<rule>\`, \`securityhub-<rule>-<hash>\`, \`<rule>-conformance-pack-<suffix>\`), as triage does when the lookup fails (the reason says so); the step is the one that rule calls for",
      "match": {
        "source": [
          "config"
        ]
      },
      "playbook": "remediate-config",
      "dryRun": false,
      "steps": [
        {
          "action": "require-imdsv2",
          "dryRun": false
        },
        {
          "action": "disable-public-endpoint",
          "dryRun": false
        },
        {
          "action": "enable-control-plane-logging",
          "dryRun": false
        },
        {
          "action": "revoke-open-ingress",
          "dryRun": false
        },
        {
          "action": "open-ticket",
          "dryRun": false
        }
      ]
    },
    {
      "name": "ticket",
      "description": "audit-log findings without a workload, non-pod workloads, findings missing what containment needs (pod name/namespace, cluster, instance id, node tags, resource or principal type; the reason names the field), LOW severity, protected namespaces or protected nodes (paged), unconfigured clusters, \`eks-secrets-encrypted\`, unknown and custom Config rules, IRSA on a cluster without \`egressCidrs\`, a role ARN in another account than the finding's, a failed AssumeRoleWithWebIdentity other than AccessDenied",
      "match": {},
      "playbook": "ticket-only",
      "dryRun": false,
      "steps": [
        {
          "action": "open-ticket",
          "dryRun": false
        }
      ]
    }
  ]
}`;
