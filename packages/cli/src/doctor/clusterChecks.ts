import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  type Cluster,
  DescribeClusterCommand,
  ListAccessEntriesCommand,
} from '@aws-sdk/client-eks';
import type { V1DaemonSet } from '@kubernetes/client-node';
import {
  endpointAccessOf,
  enforcementOf,
  kubernetesActions,
  kubernetesGroup,
  kubernetesRbac,
  type RbacRule,
  unreachableReason,
} from '@tourniquet/actions';
import {
  type ClusterConfig,
  memberRoleName,
  partitionOf,
  stageResourceNames,
  type TourniquetConfig,
} from '@tourniquet/core';
import type { KubeAdapter } from '@tourniquet/kube';
import type { DoctorAccess, DoctorCheck } from './doctorCheck';

const ACCESS_ENTRY_MODES = ['API', 'API_AND_CONFIG_MAP'];

/** What a cluster check needs, read once per cluster. */
export interface ClusterFacts {
  cluster: ClusterConfig;
  described: Cluster | undefined;
  /** The authentication mode, and where it was read (DescribeCluster or, locally, the scenario). */
  authenticationMode: { mode: string | undefined; from: 'DescribeCluster' | 'the scenario' };
}

export async function clusterFacts(
  access: DoctorAccess,
  cluster: ClusterConfig,
): Promise<ClusterFacts> {
  const { cluster: described } = await access
    .aws(cluster.region, cluster.account)
    .eks.send(new DescribeClusterCommand({ name: cluster.name }));
  const reported = described?.accessConfig?.authenticationMode;
  if (reported || !access.local) {
    return { cluster, described, authenticationMode: { mode: reported, from: 'DescribeCluster' } };
  }
  return {
    cluster,
    described,
    authenticationMode: {
      mode: access.scenarioAuthenticationMode?.(cluster.name),
      from: 'the scenario',
    },
  };
}

export function authenticationModeCheck(facts: ClusterFacts): DoctorCheck {
  const { cluster } = facts;
  // DescribeCluster leaves accessConfig out for a cluster on the API's default, CONFIG_MAP.
  const mode = facts.authenticationMode.mode ?? 'CONFIG_MAP';
  const ok = ACCESS_ENTRY_MODES.includes(mode);
  const source =
    facts.authenticationMode.from === 'the scenario'
      ? ' (from the scenario: moto reports no accessConfig)'
      : '';
  return {
    scope: cluster.name,
    check: 'authentication mode',
    status: ok ? 'pass' : 'fail',
    detail: ok
      ? `${mode}: access entries work${source}`
      : `${mode}: access entries are unusable, Tourniquet's roles cannot reach Kubernetes${source}`,
    fix: ok
      ? null
      : `aws eks update-cluster-config --name ${cluster.name} --region ${cluster.region} --access-config authenticationMode=API_AND_CONFIG_MAP (one-way; aws-auth keeps working)`,
  };
}

/** The role ARN each Kubernetes-using action runs as in this cluster's account. */
function expectedPrincipals(
  access: DoctorAccess,
  config: TourniquetConfig,
  cluster: ClusterConfig,
): Map<string, string> {
  const partition = partitionOf(cluster.region).name;
  const member = cluster.account !== access.account ? config.accounts?.[cluster.account] : null;
  return new Map(
    kubernetesActions().map((action) => {
      const role = member
        ? memberRoleName(member, action)
        : stageResourceNames.functionRole(access.stage, action);
      return [action, `arn:${partition}:iam::${cluster.account}:role/${role}`];
    }),
  );
}

export async function accessEntryCheck(
  access: DoctorAccess,
  config: TourniquetConfig,
  facts: ClusterFacts,
): Promise<DoctorCheck> {
  const { cluster } = facts;
  const scope = cluster.name;
  const check = 'access entries';
  if (!ACCESS_ENTRY_MODES.includes(facts.authenticationMode.mode ?? 'CONFIG_MAP')) {
    return {
      scope,
      check,
      status: 'fail',
      detail: 'the authentication mode has no access entries',
      fix: `change the authentication mode (see above), then npx sst deploy --stage ${access.stage}`,
    };
  }
  if (!access.accessEntries) {
    return {
      scope,
      check,
      status: 'warn',
      detail:
        'deploy.accessEntries is false: the roles must be mapped in aws-auth, which is not read here',
      fix: `map each role in docs/permissions.md to its group tourniquet:<function> in kube-system/aws-auth of ${cluster.name}`,
    };
  }
  const principals = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await access
      .aws(cluster.region, cluster.account)
      .eks.send(new ListAccessEntriesCommand({ clusterName: cluster.name, nextToken }));
    for (const arn of page.accessEntries ?? []) principals.add(arn);
    nextToken = page.nextToken;
  } while (nextToken);
  const expected = expectedPrincipals(access, config, cluster);
  const missing = [...expected].filter(([, arn]) => !principals.has(arn));
  if (missing.length === 0) {
    return {
      scope,
      check,
      status: 'pass',
      detail: `all ${expected.size} roles that call Kubernetes have an access entry`,
      fix: null,
    };
  }
  const [action, arn] = missing[0] as [string, string];
  return {
    scope,
    check,
    status: 'fail',
    detail: `no access entry for ${missing.map(([, a]) => a.split('/').pop()).join(', ')}`,
    fix: `npx sst deploy --stage ${access.stage} creates them (or aws eks create-access-entry --cluster-name ${cluster.name} --region ${cluster.region} --principal-arn ${arn} --kubernetes-groups ${kubernetesGroup(action)}, and likewise for each)`,
  };
}

/** Every (apiGroup, resource, verb) a set of rules grants. */
function grants(rules: readonly RbacRule[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const rule of rules ?? []) {
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs ?? [])
          out.add(`${verb} ${group ? `${group}/` : ''}${resource}`);
  }
  return out;
}

/** docs/rbac.yaml read back through the Kubernetes API and compared rule by rule. */
export async function rbacCheck(kube: KubeAdapter, cluster: ClusterConfig): Promise<DoctorCheck> {
  const problems: string[] = [];
  let extra = 0;
  for (const [role, binding] of kubernetesRbac()) {
    const name = role.metadata.name;
    const found = await kube.readClusterRole(name);
    if (!found) {
      problems.push(`ClusterRole ${name} missing`);
    } else {
      const have = grants(found.rules as RbacRule[] | undefined);
      const want = grants(role.rules);
      const lacking = [...want].filter((g) => !have.has(g));
      if (lacking.length > 0) problems.push(`${name} lacks ${lacking.join(', ')}`);
      extra += [...have].filter((g) => !want.has(g)).length;
    }
    const bound = await kube.readClusterRoleBinding(binding.metadata.name);
    const group = binding.subjects[0]?.name;
    if (!bound) {
      problems.push(`ClusterRoleBinding ${binding.metadata.name} missing`);
    } else if (
      bound.roleRef?.name !== name ||
      !bound.subjects?.some((s) => s.kind === 'Group' && s.name === group)
    ) {
      problems.push(
        `ClusterRoleBinding ${binding.metadata.name} does not bind ${name} to group ${group}`,
      );
    }
  }
  const fix = `kubectl apply -f docs/rbac.yaml (with the context of ${cluster.name})`;
  if (problems.length > 0) {
    return {
      scope: cluster.name,
      check: 'RBAC (docs/rbac.yaml)',
      status: 'fail',
      detail: problems.join('; '),
      fix,
    };
  }
  return extra > 0
    ? {
        scope: cluster.name,
        check: 'RBAC (docs/rbac.yaml)',
        status: 'warn',
        detail: `applied, with ${extra} permission(s) beyond what the actions need`,
        fix,
      }
    : {
        scope: cluster.name,
        check: 'RBAC (docs/rbac.yaml)',
        status: 'pass',
        detail: `${kubernetesRbac().length} ClusterRoles and bindings match`,
        fix: null,
      };
}

/** The enforcer and SGP mode, read as isolate-pod reads them (the kube-system DaemonSets). */
export function enforcementChecks(
  cluster: ClusterConfig,
  daemonSets: readonly V1DaemonSet[],
): DoctorCheck[] {
  const { enforcer, sgpMode } = enforcementOf(daemonSets);
  const env = daemonSets
    .find((d) => d.metadata?.name === 'aws-node')
    ?.spec?.template?.spec?.containers?.find((c) => c.name === 'aws-node')?.env;
  const podEni = env?.find((e) => e.name === 'ENABLE_POD_ENI')?.value === 'true';
  return [
    {
      scope: cluster.name,
      check: 'NetworkPolicy enforcer',
      status: enforcer ? 'pass' : 'fail',
      detail: enforcer
        ? `${enforcer} enforces NetworkPolicies`
        : 'nothing enforces NetworkPolicies: the quarantine policy would be inert',
      fix: enforcer
        ? null
        : `aws eks update-addon --cluster-name ${cluster.name} --region ${cluster.region} --addon-name vpc-cni --configuration-values '{"enableNetworkPolicy":"true"}' (or run Calico or Cilium)`,
    },
    !podEni
      ? {
          scope: cluster.name,
          check: 'Security Groups for Pods',
          status: 'pass',
          detail: 'off (ENABLE_POD_ENI is not true): pods are isolated by NetworkPolicy',
          fix: null,
        }
      : sgpMode === 'strict'
        ? {
            scope: cluster.name,
            check: 'Security Groups for Pods',
            status: 'pass',
            detail: "strict mode: a branch ENI swap cuts all of a pod's traffic",
            fix: null,
          }
        : {
            scope: cluster.name,
            check: 'Security Groups for Pods',
            status: 'warn',
            detail:
              "standard mode: traffic leaving the VPC uses the node's groups, so the branch ENI swap does not cut an internet connection",
            fix: 'kubectl -n kube-system set env daemonset aws-node POD_SECURITY_GROUP_ENFORCING_MODE=strict (then restart the pods with branch ENIs)',
          },
  ];
}

export async function quarantineGroupChecks(
  access: DoctorAccess,
  cluster: ClusterConfig,
): Promise<DoctorCheck[]> {
  const groups = Object.entries(cluster.quarantineSecurityGroups);
  if (groups.length === 0) {
    return [
      {
        scope: cluster.name,
        check: 'quarantine security group',
        status: 'fail',
        detail:
          'none configured: pods with a branch ENI and nodes cannot be isolated by security group',
        fix: `add quarantineSecurityGroups { "<vpc-id>": "<sg-id>" } for ${cluster.name} in the config (a group with no rules)`,
      },
    ];
  }
  const ec2 = access.aws(cluster.region, cluster.account).ec2;
  const results: DoctorCheck[] = [];
  for (const [vpc, groupId] of groups) {
    const check = `quarantine group ${groupId}`;
    let group: Awaited<ReturnType<typeof describe>>;
    const describe = async () =>
      (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
        .SecurityGroups?.[0];
    try {
      group = await describe();
    } catch (error) {
      if ((error as Error).name !== 'InvalidGroup.NotFound') throw error;
      group = undefined;
    }
    const inbound = group?.IpPermissions?.length ?? 0;
    const outbound = group?.IpPermissionsEgress?.length ?? 0;
    if (!group || group.VpcId !== vpc) {
      results.push({
        scope: cluster.name,
        check,
        status: 'fail',
        detail: group ? `is in ${group.VpcId}, not ${vpc}` : 'not found',
        fix: `aws ec2 create-security-group --vpc-id ${vpc} --group-name tourniquet-quarantine --description "Tourniquet quarantine" --region ${cluster.region}, revoke its egress rule, and name it in quarantineSecurityGroups`,
      });
    } else if (inbound + outbound > 0) {
      results.push({
        scope: cluster.name,
        check,
        status: 'fail',
        detail: `${inbound} inbound and ${outbound} outbound rule(s): isolated pods would still talk`,
        fix: `aws ec2 revoke-security-group-${inbound > 0 ? 'ingress' : 'egress'} --region ${cluster.region} --group-id ${groupId} --security-group-rule-ids <each rule id> (list them: aws ec2 describe-security-group-rules --filters Name=group-id,Values=${groupId})`,
      });
    } else {
      results.push({ scope: cluster.name, check, status: 'pass', detail: 'no rules', fix: null });
    }
  }
  return results;
}

/** Whether the functions reach the API server from where the config runs them (endpointReach). */
export function endpointCheck(facts: ClusterFacts): DoctorCheck {
  const { cluster, described } = facts;
  const endpoint = endpointAccessOf(described ?? {});
  const reason = unreachableReason(cluster.access, endpoint);
  const where =
    cluster.access?.mode === 'vpc'
      ? `from subnets ${cluster.access.subnetIds.join(', ')}`
      : 'from outside any VPC';
  if (reason) {
    return {
      scope: cluster.name,
      check: 'endpoint reachability',
      status: 'fail',
      detail: reason.replace('cluster API endpoint', `API endpoint (functions run ${where})`),
      fix: `set clusters[].access to { "mode": "vpc", "subnetIds": [...], "securityGroupId": "..." } for ${cluster.name} and npx sst deploy (see docs/deploy.md, Reaching the clusters' API servers)`,
    };
  }
  if (cluster.access?.mode === 'vpc' && !endpoint.privateAccess) {
    return {
      scope: cluster.name,
      check: 'endpoint reachability',
      status: 'warn',
      detail: `functions run ${where} and the private endpoint is off: they reach the public endpoint only through the VPC's NAT`,
      fix: `aws eks update-cluster-config --name ${cluster.name} --region ${cluster.region} --resources-vpc-config endpointPrivateAccess=true`,
    };
  }
  return {
    scope: cluster.name,
    check: 'endpoint reachability',
    status: 'pass',
    detail: `functions run ${where}; ${endpoint.privateAccess ? 'private' : ''}${endpoint.privateAccess && endpoint.publicAccess ? ' and ' : ''}${endpoint.publicAccess ? 'public' : ''} endpoint on`,
    fix: null,
  };
}
