import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
} from '@aws-sdk/client-iam';
import { type AwsClientOverrides, type AwsClients, createAwsClients } from '@tourniquet/aws';
import type { ClusterAccess, ClusterConfig } from '@tourniquet/core';
import { pinToAccount } from '../emulators/motoAccounts';
import { type KubeObject, kubeObjectsFor, type PodEni } from './kubeObjects';
import type { Scenario, ScenarioCluster } from './scenario';
import { seedConfigRules } from './seedConfigRules';
import { seedDenyAllProfile } from './seedDenyAllProfile';

export interface SeededCluster {
  name: string;
  region: string;
  /** The cluster's config entry with the ids moto assigned. */
  config: ClusterConfig;
  /** Manifests to seed the Kubernetes simulator with. */
  kubeObjects: KubeObject[];
}

export interface SeededScenario {
  /** Scenario (logical) id → the id moto assigned; moto cannot be told which ids to use. */
  ids: ReadonlyMap<string, string>;
  clusters: SeededCluster[];
  /** Physical id for a logical one (unchanged when the scenario did not create it). */
  physical(logicalId: string): string;
  /** Deep copy of `value` with every logical id replaced by its physical id. */
  translate<T>(value: T): T;
}

export interface SeedOptions extends AwsClientOverrides {
  /** Progress lines while seeding (seeding moto takes a few seconds on first use). */
  progress?: (line: string) => void;
  /** Seed as this account of a multi-account moto (a member's resources). */
  account?: string;
}

const IMAGE_ID = 'ami-0123456789abcdef0';
const OIDC_THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

/**
 * Creates the scenario's AWS side in moto: VPCs, subnets, security groups, the EKS clusters, the
 * node instances with their ENIs and volumes, branch ENIs for Security Groups for Pods, the
 * OIDC providers, IRSA and node roles with instance profiles, the Config rules. Returns the id translation and the
 * Kubernetes manifests for the simulator.
 */
export async function seedScenario(
  scenario: Scenario,
  options: SeedOptions,
): Promise<SeededScenario> {
  const ids = new Map<string, string>();
  const physical = (logical: string) => ids.get(logical) ?? logical;
  const say = options.progress ?? (() => {});
  const clientsIn = (region: string) => {
    const clients = createAwsClients(region, options);
    return options.account ? pinToAccount(clients, options.account) : clients;
  };
  const iamClients = clientsIn(scenario.clusters[0]?.region ?? 'us-east-1');

  say('seeding IAM: OIDC providers, roles, instance profiles');
  await seedIam(iamClients, scenario);
  await seedDenyAllProfile(iamClients);

  const clusters: SeededCluster[] = [];
  for (const cluster of scenario.clusters) {
    say(
      `seeding ${cluster.name} (${cluster.region}): VPC, security groups, ${cluster.nodes.length} nodes, ${cluster.pods.length} pods`,
    );
    const aws = clientsIn(cluster.region);
    await seedNetwork(aws, cluster, ids);
    await seedCluster(aws, scenario.account, cluster, physical);
    await seedNodes(aws, cluster, ids, physical);
    const branchEnis = await seedBranchEnis(aws, cluster, physical);
    clusters.push({
      name: cluster.name,
      region: cluster.region,
      config: {
        name: cluster.name,
        account: scenario.account,
        region: cluster.region,
        oidcIssuer: cluster.oidcIssuer,
        egressCidrs: cluster.egressCidrs,
        quarantineSecurityGroups: Object.fromEntries(
          cluster.securityGroups
            .filter((g) => g.quarantine)
            .map((g) => [physical(cluster.vpc.id), physical(g.id)]),
        ),
        ...(cluster.access ? { access: accessIn(cluster.access, physical) } : {}),
      },
      kubeObjects: kubeObjectsFor(scenario, cluster, physical, branchEnis),
    });
  }
  if (scenario.configRules.length > 0) {
    say(`seeding ${scenario.configRules.length} AWS Config rules`);
    await seedConfigRules(scenario, options);
  }
  const pattern =
    ids.size > 0 ? new RegExp([...ids.keys()].map(escapeRegExp).join('|'), 'g') : null;
  const translate = <T>(value: T): T =>
    pattern
      ? JSON.parse(JSON.stringify(value).replace(pattern, (m) => physical(m)))
      : structuredClone(value);
  return { ids, clusters, physical, translate };
}

/** A cluster access with the scenario's subnet and group ids replaced by moto's. */
export function accessIn(access: ClusterAccess, physical: (id: string) => string): ClusterAccess {
  if (access.mode === 'public') return access;
  return {
    mode: 'vpc',
    subnetIds: access.subnetIds.map(physical),
    securityGroupId: physical(access.securityGroupId),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function seedIam(aws: AwsClients, scenario: Scenario): Promise<void> {
  const issuers = new Map(scenario.clusters.map((c) => [c.name, c.oidcIssuer]));
  for (const issuer of new Set(issuers.values())) {
    await aws.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${issuer}`,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: [OIDC_THUMBPRINT],
      }),
    );
  }
  for (const role of scenario.roles) {
    let trust: unknown;
    if (role.trust === 'ec2') {
      trust = {
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      };
    } else {
      const { cluster, namespace, serviceAccount } = role.trust.irsa;
      const issuer = issuers.get(cluster);
      if (!issuer)
        throw new Error(`role ${role.name}: no cluster named ${cluster} in the scenario`);
      trust = {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${scenario.account}:oidc-provider/${issuer}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      };
    }
    await aws.iam.send(
      new CreateRoleCommand({
        RoleName: role.name,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [trust] }),
        Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    if (role.instanceProfile) {
      await aws.iam.send(
        new CreateInstanceProfileCommand({ InstanceProfileName: role.instanceProfile }),
      );
      await aws.iam.send(
        new AddRoleToInstanceProfileCommand({
          InstanceProfileName: role.instanceProfile,
          RoleName: role.name,
        }),
      );
    }
  }
}

async function seedNetwork(
  aws: AwsClients,
  cluster: ScenarioCluster,
  ids: Map<string, string>,
): Promise<void> {
  const { Vpc } = await aws.ec2.send(new CreateVpcCommand({ CidrBlock: cluster.vpc.cidr }));
  ids.set(cluster.vpc.id, Vpc?.VpcId as string);
  for (const subnet of cluster.subnets) {
    const { Subnet } = await aws.ec2.send(
      new CreateSubnetCommand({
        VpcId: Vpc?.VpcId,
        CidrBlock: subnet.cidr,
        AvailabilityZone: subnet.az,
      }),
    );
    ids.set(subnet.id, Subnet?.SubnetId as string);
  }
  for (const group of cluster.securityGroups) {
    const { GroupId } = await aws.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: group.name,
        Description: group.quarantine ? 'Tourniquet quarantine: no rules, no traffic' : group.name,
        VpcId: Vpc?.VpcId,
        TagSpecifications: Object.keys(group.tags).length
          ? [
              {
                ResourceType: 'security-group',
                Tags: Object.entries(group.tags).map(([Key, Value]) => ({ Key, Value })),
              },
            ]
          : undefined,
      }),
    );
    ids.set(group.id, GroupId as string);
    if (group.quarantine) {
      await aws.ec2.send(
        new RevokeSecurityGroupEgressCommand({
          GroupId,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    }
    if (group.ingress.length > 0) {
      await aws.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId,
          IpPermissions: group.ingress.map((r) => ({
            IpProtocol: r.protocol,
            FromPort: r.from,
            ToPort: r.to,
            ...(r.cidr.includes(':')
              ? { Ipv6Ranges: [{ CidrIpv6: r.cidr }] }
              : { IpRanges: [{ CidrIp: r.cidr }] }),
          })),
        }),
      );
    }
  }
}

async function seedCluster(
  aws: AwsClients,
  account: string,
  cluster: ScenarioCluster,
  physical: (id: string) => string,
): Promise<void> {
  await aws.eks.send(
    new CreateClusterCommand({
      name: cluster.name,
      version: cluster.version,
      roleArn: `arn:aws:iam::${account}:role/eks-cluster-role`,
      resourcesVpcConfig: {
        subnetIds: cluster.subnets.map((s) => physical(s.id)),
        securityGroupIds: cluster.securityGroups
          .filter((g) => !g.quarantine)
          .map((g) => physical(g.id)),
        endpointPublicAccess: cluster.endpoint.publicAccess,
        endpointPrivateAccess: cluster.endpoint.privateAccess,
        ...(cluster.endpoint.publicAccessCidrs
          ? { publicAccessCidrs: cluster.endpoint.publicAccessCidrs }
          : {}),
      },
      logging:
        cluster.logging.length > 0
          ? { clusterLogging: [{ types: cluster.logging as never, enabled: true }] }
          : undefined,
      tags: cluster.tags,
    }),
  );
}

async function seedNodes(
  aws: AwsClients,
  cluster: ScenarioCluster,
  ids: Map<string, string>,
  physical: (id: string) => string,
): Promise<void> {
  for (const node of cluster.nodes) {
    const tags = {
      'eks:cluster-name': cluster.name,
      [`kubernetes.io/cluster/${cluster.name}`]: 'owned',
      Name: node.name,
      ...node.tags,
    };
    const { Instances = [] } = await aws.ec2.send(
      new RunInstancesCommand({
        ImageId: IMAGE_ID,
        InstanceType: 'm5.large',
        MinCount: 1,
        MaxCount: 1,
        // Groups on the primary ENI, not the instance: moto then reports ENI groups as EC2 does
        // (instance-level groups would be merged into every ENI, hiding a quarantine swap).
        NetworkInterfaces: [
          {
            DeviceIndex: 0,
            SubnetId: physical(node.subnet),
            PrivateIpAddress: node.ip,
            Groups: node.securityGroups.map(physical),
          },
        ],
        IamInstanceProfile: node.instanceProfile ? { Name: node.instanceProfile } : undefined,
        InstanceMarketOptions: node.spot ? { MarketType: 'spot' } : undefined,
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20 } },
          ...Array.from({ length: node.extraVolumes }, (_, i) => ({
            DeviceName: `/dev/xvd${String.fromCharCode(98 + i)}`,
            Ebs: { VolumeSize: 50 },
          })),
        ],
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      }),
    );
    const instance = Instances[0];
    if (!instance?.InstanceId) throw new Error(`moto did not create instance ${node.instanceId}`);
    ids.set(node.instanceId, instance.InstanceId);
  }
}

async function seedBranchEnis(
  aws: AwsClients,
  cluster: ScenarioCluster,
  physical: (id: string) => string,
): Promise<Map<string, PodEni>> {
  const enis = new Map<string, PodEni>();
  for (const [index, pod] of cluster.pods
    .filter((p) => p.securityGroups && !p.hostNetwork)
    .entries()) {
    const node = cluster.nodes.find((n) => n.name === pod.node);
    const { NetworkInterface: eni } = await aws.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: physical(node?.subnet as string),
        PrivateIpAddress: pod.ip,
        Groups: (pod.securityGroups ?? []).map(physical),
        // What the VPC resource controller sets on branch ENIs; moto has no branch interface type.
        Description: 'aws-k8s-branch-eni',
        TagSpecifications: [
          {
            ResourceType: 'network-interface',
            Tags: [
              { Key: 'eks:eni:owner', Value: 'eks-vpc-resource-controller' },
              { Key: 'vpcresources.k8s.aws/trunk-eni-id', Value: 'trunk' },
              { Key: `kubernetes.io/cluster/${cluster.name}`, Value: 'owned' },
            ],
          },
        ],
      }),
    );
    if (!eni?.NetworkInterfaceId)
      throw new Error(`moto did not create the branch ENI of ${pod.name}`);
    enis.set(`${pod.namespace}/${pod.name}`, {
      eniId: eni.NetworkInterfaceId,
      ifAddress: eni.MacAddress ?? '',
      privateIp: pod.ip,
      vlanId: index + 1,
      subnetCidr: cluster.subnets.find((s) => s.id === node?.subnet)?.cidr ?? '',
    });
  }
  return enis;
}
