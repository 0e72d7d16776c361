import { DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { enforcementOf } from '@tourniquet/actions';
import type { TourniquetConfig } from '@tourniquet/core';
import type { KubeAdapter } from '@tourniquet/kube';
import type { DetectorState } from './guardDutyFeatures';

/** One check's verdict; `fix` says what to do when it failed. */
export interface CheckResult {
  /** The cluster, or `region <name>` for a regional check. */
  scope: string;
  check: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

/** How preflight reaches a region's AWS APIs and a cluster's Kubernetes API (read-only). */
export interface PreflightAccess {
  eks(region: string): EKSClient;
  ec2(region: string): EC2Client;
  kube(cluster: string): Promise<KubeAdapter>;
  detector(region: string): Promise<DetectorState | null>;
}

const ACCESS_ENTRY_MODES = ['API', 'API_AND_CONFIG_MAP'];

/**
 * Whether each configured cluster can be contained before the first real incident: access
 * entries usable, a NetworkPolicy enforcer running, quarantine groups without rules, and
 * GuardDuty's EKS protection on in the cluster's region. Every call reads; nothing changes.
 */
export async function runPreflight(
  config: TourniquetConfig,
  access: PreflightAccess,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const attempt = async (scope: string, check: string, run: () => Promise<CheckResult>) => {
    try {
      results.push(await run());
    } catch (error) {
      if ((error as Error).name === 'CredentialsProviderError') throw error;
      results.push({
        scope,
        check,
        ok: false,
        detail: `could not check: ${(error as Error).message.split('\n')[0]}`,
        fix: 'grant the read-only permission named in the error, or check connectivity',
      });
    }
  };
  for (const cluster of config.clusters) {
    const scope = cluster.name;
    await attempt(scope, 'authentication mode', async () => {
      const { cluster: described } = await access
        .eks(cluster.region)
        .send(new DescribeClusterCommand({ name: cluster.name }));
      const mode = described?.accessConfig?.authenticationMode;
      const ok = mode !== undefined && ACCESS_ENTRY_MODES.includes(mode);
      return {
        scope,
        check: 'authentication mode',
        ok,
        detail: mode
          ? `${mode}${ok ? ': access entries work' : ': access entries are ignored'}`
          : 'DescribeCluster reports no authentication mode',
        fix: ok
          ? null
          : `aws eks update-cluster-config --name ${cluster.name} --region ${cluster.region} --access-config authenticationMode=API_AND_CONFIG_MAP (one way; the deployment's access entries need it)`,
      };
    });
    await attempt(scope, 'NetworkPolicy enforcer', async () => {
      const kube = await access.kube(cluster.name);
      const { enforcer, sgpMode } = enforcementOf(await kube.listDaemonSets('kube-system'));
      return {
        scope,
        check: 'NetworkPolicy enforcer',
        ok: enforcer !== null,
        detail: enforcer
          ? `${enforcer} enforces NetworkPolicies (Security Groups for Pods: ${sgpMode})`
          : 'nothing enforces NetworkPolicies: the quarantine policy would be inert',
        fix: enforcer
          ? null
          : 'enable the VPC CNI network policy agent (aws-node --enable-network-policy=true, e.g. the vpc-cni add-on setting enableNetworkPolicy: "true"), or run Calico or Cilium',
      };
    });
    const groups = Object.entries(cluster.quarantineSecurityGroups);
    if (groups.length === 0) {
      results.push({
        scope,
        check: 'quarantine security group',
        ok: false,
        detail: 'none configured: pods with a branch ENI cannot be isolated by security group',
        fix: `add quarantineSecurityGroups { "<vpc-id>": "<sg-id>" } for ${cluster.name} in the config (a group with no rules)`,
      });
    }
    for (const [vpc, groupId] of groups) {
      await attempt(scope, `quarantine group ${groupId}`, async () => {
        const { SecurityGroups } = await access
          .ec2(cluster.region)
          .send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
        const group = SecurityGroups?.[0];
        const inbound = group?.IpPermissions?.length ?? 0;
        const outbound = group?.IpPermissionsEgress?.length ?? 0;
        const wrongVpc = group?.VpcId !== undefined && group.VpcId !== vpc;
        const ok = group !== undefined && inbound === 0 && outbound === 0 && !wrongVpc;
        return {
          scope,
          check: `quarantine group ${groupId}`,
          ok,
          detail: !group
            ? 'not found'
            : wrongVpc
              ? `is in ${group.VpcId}, not ${vpc}`
              : ok
                ? 'no rules'
                : `${inbound} inbound and ${outbound} outbound rule(s): isolated pods would still talk`,
          fix: ok
            ? null
            : !group || wrongVpc
              ? `create a group with no rules in ${vpc} and name it in quarantineSecurityGroups`
              : `remove every rule: aws ec2 revoke-security-group-ingress/egress --group-id ${groupId} (a new group allows all egress until revoked)`,
        };
      });
    }
  }
  for (const region of [...new Set(config.clusters.map((c) => c.region))]) {
    const scope = `region ${region}`;
    await attempt(scope, 'GuardDuty EKS protection', async () => {
      const detector = await access.detector(region);
      const on = (name: string) => detector?.features[name] === 'ENABLED';
      const runtime = on('RUNTIME_MONITORING') || on('EKS_RUNTIME_MONITORING');
      const audit = on('EKS_AUDIT_LOGS');
      const missing = [
        ...(runtime ? [] : ['Runtime Monitoring']),
        ...(audit ? [] : ['EKS Protection (audit logs)']),
      ];
      const ok = detector !== null && detector.status === 'ENABLED' && missing.length === 0;
      return {
        scope,
        check: 'GuardDuty EKS protection',
        ok,
        detail: !detector
          ? 'no GuardDuty detector in this region: no findings will come'
          : ok
            ? `detector ${detector.detectorId}: Runtime Monitoring and EKS audit logs on`
            : `detector ${detector.detectorId} ${detector.status}; off: ${missing.join(', ') || 'none'}`,
        fix: ok
          ? null
          : !detector
            ? `aws guardduty create-detector --enable --region ${region} --features Name=RUNTIME_MONITORING,Status=ENABLED Name=EKS_AUDIT_LOGS,Status=ENABLED`
            : `aws guardduty update-detector --detector-id ${detector.detectorId} --region ${region} --features Name=RUNTIME_MONITORING,Status=ENABLED Name=EKS_AUDIT_LOGS,Status=ENABLED`,
      };
    });
  }
  return results;
}

/** One line per check: ✓ or ✗, where, what, and for a failure how to fix it. */
export function formatCheck(result: CheckResult): string {
  const head = `${result.ok ? '✓' : '✗'} ${result.scope}: ${result.check}: ${result.detail}`;
  return result.fix ? `${head} — fix: ${result.fix}` : head;
}
