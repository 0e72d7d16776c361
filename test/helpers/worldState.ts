import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, ListClustersCommand } from '@aws-sdk/client-eks';
import { ListRolePoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { createAwsClients } from '@tourniquet/aws';
import { LOCAL_CREDENTIALS, type LocalWorld } from '@tourniquet/testkit';

/**
 * Everything containment can change, read from the emulators themselves (never from outcomes):
 * pods' labels and annotations, NetworkPolicies, node schedulability, every ENI's groups,
 * instances' termination protection and metadata options, every role's trust policy and inline
 * policy names, every security group's ingress, every cluster's endpoint access and logging.
 * Evidence snapshots and the untrack group are left out: Tourniquet keeps them on purpose.
 */
export async function worldState(world: LocalWorld, region = 'us-east-1') {
  // Straight to moto: the state is read past any fault proxy.
  const aws = createAwsClients(region, {
    endpoint: world.moto.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  const kube: Record<string, unknown> = {};
  for (const cluster of world.config.clusters) {
    const sim = world.simulator(cluster.name);
    kube[cluster.name] = {
      pods: sim.list('v1', 'Pod').map((p) => ({
        pod: `${p.metadata.namespace}/${p.metadata.name}`,
        labels: p.metadata.labels ?? {},
        annotations: p.metadata.annotations ?? {},
      })),
      policies: sim
        .list('networking.k8s.io/v1', 'NetworkPolicy')
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .sort(),
      nodes: sim.list('v1', 'Node').map((n) => ({
        node: n.metadata.name,
        unschedulable: (n as { spec?: { unschedulable?: boolean } }).spec?.unschedulable ?? false,
      })),
    };
  }
  const { NetworkInterfaces = [] } = await aws.ec2.send(new DescribeNetworkInterfacesCommand({}));
  const enis = Object.fromEntries(
    NetworkInterfaces.map((e) => [
      e.NetworkInterfaceId,
      (e.Groups ?? []).map((g) => g.GroupId).sort(),
    ]),
  );
  const { Reservations = [] } = await aws.ec2.send(new DescribeInstancesCommand({}));
  const instances: Record<string, unknown> = {};
  for (const instance of Reservations.flatMap((r) => r.Instances ?? [])) {
    const id = instance.InstanceId as string;
    const termination = await aws.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'disableApiTermination' }),
    );
    instances[id] = {
      termination: termination.DisableApiTermination?.Value ?? false,
      httpTokens: instance.MetadataOptions?.HttpTokens,
    };
  }
  const { Roles = [] } = await aws.iam.send(new ListRolesCommand({}));
  const roles: Record<string, unknown> = {};
  for (const role of Roles) {
    const { PolicyNames = [] } = await aws.iam.send(
      new ListRolePoliciesCommand({ RoleName: role.RoleName }),
    );
    roles[role.RoleName as string] = {
      trust: JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument ?? '%7B%7D')),
      inline: [...PolicyNames].sort(),
    };
  }
  const { SecurityGroups = [] } = await aws.ec2.send(new DescribeSecurityGroupsCommand({}));
  const rule = (p: IpPermission) =>
    `${p.IpProtocol}:${p.FromPort}-${p.ToPort}:${[
      ...(p.IpRanges ?? []).map((r) => r.CidrIp),
      ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
      ...(p.UserIdGroupPairs ?? []).map((g) => g.GroupId),
    ]
      .sort()
      .join(',')}`;
  const groups = Object.fromEntries(
    SecurityGroups.filter((g) => g.GroupName !== 'tourniquet-untrack').map((g) => [
      g.GroupId,
      (g.IpPermissions ?? []).map(rule).sort(),
    ]),
  );
  const { clusters: names = [] } = await aws.eks.send(new ListClustersCommand({}));
  const clusters: Record<string, unknown> = {};
  for (const name of names) {
    const { cluster } = await aws.eks.send(new DescribeClusterCommand({ name }));
    clusters[name] = {
      public: cluster?.resourcesVpcConfig?.endpointPublicAccess,
      private: cluster?.resourcesVpcConfig?.endpointPrivateAccess,
      logging: (cluster?.logging?.clusterLogging ?? [])
        .filter((l) => l.enabled)
        .flatMap((l) => l.types ?? [])
        .sort(),
    };
  }
  return { kube, enis, instances, roles, groups, clusters };
}

/**
 * What release puts back: pods, NetworkPolicies, nodes, ENIs, termination protection and roles.
 * Config remediations (IMDSv2, endpoint access, logging, open ingress) are fixes, not
 * quarantine: release leaves them in place (docs/decisions.md).
 */
export function containmentState(state: Awaited<ReturnType<typeof worldState>>) {
  const termination = Object.fromEntries(
    Object.entries(state.instances).map(([id, i]) => [
      id,
      (i as { termination: boolean }).termination,
    ]),
  );
  return { kube: state.kube, enis: state.enis, roles: state.roles, termination };
}
