import { roleName, type TourniquetConfig } from '@tourniquet/core';
import { stringify } from 'yaml';
import type { EventFact } from './eventFacts';
import { covering, freeInBlock, freeIp, hash, madeUpId } from './madeUpAddresses';

/** A scenario document (what a scenario file holds, before defaults). */
export type ScenarioDocument = Record<string, unknown> & {
  account: string;
  clusters: ClusterDocument[];
};

interface ClusterDocument {
  name: string;
  region: string;
  oidcIssuer: string;
  egressCidrs?: string[];
  vpc: { id: string; cidr: string };
  subnets: Array<{ id: string; cidr: string; az: string }>;
  securityGroups: Array<{ id: string; name: string; quarantine?: boolean }>;
  nodes: Array<Record<string, unknown> & { name: string; instanceId: string; ip: string }>;
  serviceAccounts: Array<{ namespace: string; name: string; role?: string }>;
  pods: Array<Record<string, unknown>>;
}

interface RoleDocument {
  name: string;
  trust: 'ec2' | { irsa: { cluster: string; namespace: string; serviceAccount: string } };
  instanceProfile?: string;
}

/**
 * A scenario that matches a set of events: every account, cluster, node (instance id, ENI, IP,
 * subnet, security groups, instance profile, tags), pod (uid, node, service account,
 * hostNetwork, privileged, image) and IAM role they name, with the events' ids. What events do
 * not carry is made up so that it seeds (CIDRs around the IPs seen, a pod IP in its node's
 * subnet, a node for pods whose node no event names), or taken from `config` when it lists the
 * cluster (OIDC issuer, egress CIDRs, the quarantine group).
 */
export function scenarioFromEvents(
  facts: readonly EventFact[],
  config?: TourniquetConfig,
  /** Told about each pod left out: its namespace or name is no Kubernetes name. */
  onSkip: (line: string) => void = () => {},
): ScenarioDocument {
  const accounts = new Map<
    string,
    { clusters: Map<string, Draft>; roles: Map<string, RoleDocument> }
  >();
  const accountOf = (id: string) => {
    let account = accounts.get(id);
    if (!account) {
      account = { clusters: new Map(), roles: new Map() };
      accounts.set(id, account);
    }
    return account;
  };
  for (const fact of facts) {
    const { finding } = fact;
    const account = accountOf(finding.account);
    let cluster: Draft | undefined;
    // A node finding (or a Config rule on an instance) names its cluster in the node's tags.
    const clusterName = finding.cluster ?? finding.node?.tags['eks:cluster-name'] ?? null;
    if (clusterName) {
      cluster = account.clusters.get(clusterName);
      if (!cluster) {
        cluster = newDraft(clusterName, finding.region);
        account.clusters.set(clusterName, cluster);
      }
      cluster.vpc ??= fact.vpc ?? fact.node?.vpc ?? null;
    } else if (fact.oidcIssuer) {
      // A web-identity call names the cluster only by its OIDC issuer, which the config knows.
      const named = config?.clusters.find(
        (c) => c.account === finding.account && c.oidcIssuer === fact.oidcIssuer,
      );
      cluster = [...account.clusters.values()].find(
        (c) => c.oidcIssuer === fact.oidcIssuer || c.name === named?.name,
      );
      if (!cluster && named) {
        cluster = newDraft(named.name, named.region);
        account.clusters.set(named.name, cluster);
      }
      if (cluster) cluster.oidcIssuer ??= fact.oidcIssuer;
    }
    if (fact.node && cluster) addNode(cluster, fact.node);
    if (fact.node?.instanceProfile) {
      const profile = fact.node.instanceProfile;
      const name = nodeRoleName(profile);
      if (![...account.roles.values()].some((r) => r.instanceProfile === profile))
        account.roles.set(name, { name, trust: 'ec2', instanceProfile: profile });
    }
    if (fact.pod && !(DNS_LABEL.test(fact.pod.namespace) && DNS_SUBDOMAIN.test(fact.pod.name))) {
      // Placeholders of generated sample findings, or a name no API server would accept: the
      // Kubernetes simulator rejects it as the real one does, so the pod cannot be seeded.
      onSkip(
        `${fact.source}: pod ${JSON.stringify(`${fact.pod.namespace}/${fact.pod.name}`)} left out: not a Kubernetes namespace and pod name`,
      );
    } else if (fact.pod && cluster) {
      const key = `${fact.pod.namespace}/${fact.pod.name}`;
      const existing = cluster.pods.get(key);
      cluster.pods.set(key, {
        ...fact.pod,
        serviceAccount:
          fact.pod.serviceAccount && DNS_SUBDOMAIN.test(fact.pod.serviceAccount)
            ? fact.pod.serviceAccount
            : null,
        uid: existing?.uid ?? fact.pod.uid,
        node: existing?.node ?? fact.node?.instanceId ?? null,
      });
    }
    if (finding.role) {
      const name = roleName(finding.role.arn).split('/').pop() ?? finding.role.arn;
      const sa = finding.role.serviceAccount ?? null;
      if (sa && cluster && DNS_LABEL.test(sa.namespace) && DNS_SUBDOMAIN.test(sa.name)) {
        account.roles.set(name, {
          name,
          trust: {
            irsa: { cluster: cluster.name, namespace: sa.namespace, serviceAccount: sa.name },
          },
        });
        cluster.serviceAccounts.set(`${sa.namespace}/${sa.name}`, name);
      } else if (!account.roles.has(name)) {
        account.roles.set(name, { name, trust: 'ec2' });
      }
    }
  }
  const hub =
    config?.clusters.find((c) => !config.accounts || !Object.hasOwn(config.accounts, c.account))
      ?.account ??
    facts[0]?.finding.account ??
    '111122223333';
  const render = (account: string) => {
    const entry = accounts.get(account) ?? { clusters: new Map(), roles: new Map() };
    return {
      clusters: [...entry.clusters.values()].map((d) => renderCluster(d, account, config)),
      roles: [...entry.roles.values()],
    };
  };
  // One cluster per name (replay emulates clusters by name): a name already taken in the hub
  // or an earlier account is left out where it comes again.
  const taken = new Set<string>();
  for (const account of [hub, ...[...accounts.keys()].filter((a) => a !== hub)]) {
    const entry = accounts.get(account);
    for (const name of [...(entry?.clusters.keys() ?? [])]) {
      if (taken.has(name)) {
        onSkip(
          `cluster ${name} of account ${account} left out: a cluster of another account has that name`,
        );
        entry?.clusters.delete(name);
      }
      taken.add(name);
    }
  }
  const { clusters, roles } = render(hub);
  const members = [...accounts.keys()].filter((a) => a !== hub);
  const document: ScenarioDocument = {
    account: hub,
    clusters:
      clusters.length > 0
        ? clusters
        : [renderCluster(newDraft('cluster-1', 'us-east-1'), hub, config)],
    ...(roles.length > 0 ? { roles } : {}),
  };
  const memberDocs = members.flatMap((account) => {
    const { clusters: memberClusters, roles: memberRoles } = render(account);
    if (memberClusters.length === 0) return [];
    const configured = config?.accounts?.[account];
    return [
      {
        account,
        ...(configured?.externalId ? { externalId: configured.externalId } : {}),
        clusters: memberClusters,
        ...(memberRoles.length > 0 ? { roles: memberRoles } : {}),
      },
    ];
  });
  if (memberDocs.length > 0) document.accounts = memberDocs;
  return document;
}

/** RFC 1123 label (namespaces) and DNS subdomain (pods, service accounts), as Kubernetes checks them. */
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface Draft {
  name: string;
  region: string;
  vpc: string | null;
  oidcIssuer: string | null;
  nodes: Map<string, NonNullable<EventFact['node']>>;
  pods: Map<string, NonNullable<EventFact['pod']> & { node: string | null }>;
  serviceAccounts: Map<string, string | null>;
}

function newDraft(name: string, region: string): Draft {
  return {
    name,
    region,
    vpc: null,
    oidcIssuer: null,
    nodes: new Map(),
    pods: new Map(),
    serviceAccounts: new Map(),
  };
}

function addNode(cluster: Draft, node: NonNullable<EventFact['node']>): void {
  const seen = cluster.nodes.get(node.instanceId);
  // Events may describe a node more or less fully; keep what any of them says.
  const merged = seen
    ? (Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, v ?? seen[k as keyof typeof seen]]),
      ) as typeof node)
    : node;
  cluster.nodes.set(node.instanceId, merged);
}

function renderCluster(
  draft: Draft,
  account: string,
  config: TourniquetConfig | undefined,
): ClusterDocument {
  const configured = config?.clusters.find((c) => c.name === draft.name && c.account === account);
  const configuredVpc = Object.keys(configured?.quarantineSecurityGroups ?? {})[0];
  const vpcId = draft.vpc ?? configuredVpc ?? madeUpId('vpc', `${account}/${draft.name}`);
  const ips = [...draft.nodes.values()].flatMap((n) => (n.ip ? [n.ip] : []));
  const subnetIps = new Map<string, string[]>();
  const placeholderSubnet = madeUpId('subnet', `${account}/${draft.name}`);
  for (const node of draft.nodes.values()) {
    const subnet = node.subnet ?? placeholderSubnet;
    subnetIps.set(subnet, [...(subnetIps.get(subnet) ?? []), ...(node.ip ? [node.ip] : [])]);
  }
  if (subnetIps.size === 0) subnetIps.set(placeholderSubnet, []);
  const base = ips[0] ?? '10.0.0.10';
  const vpcCidr = covering(ips.length > 0 ? ips : [base], 16);
  const azs = new Map<string, string>();
  for (const node of draft.nodes.values())
    if (node.subnet && node.az && !azs.has(node.subnet)) azs.set(node.subnet, node.az);
  const subnets = [...subnetIps].map(([id, seen]) => ({
    id,
    cidr: covering(seen.length > 0 ? seen : [base], 28),
    az: azs.get(id) ?? `${draft.region}a`,
  }));
  const groups = new Map<string, { id: string; name: string; quarantine?: boolean }>();
  for (const node of draft.nodes.values())
    for (const g of node.securityGroups) groups.set(g.id, { id: g.id, name: g.name });
  const quarantine =
    (configuredVpc && configured?.quarantineSecurityGroups[configuredVpc]) ||
    madeUpId('sg', `${account}/${draft.name}/quarantine`);
  groups.set(quarantine, { id: quarantine, name: 'tourniquet-quarantine', quarantine: true });

  // A pod whose node no event names runs on a node made up for it.
  const nodes = [...draft.nodes.values()];
  const orphan = [...draft.pods.values()].some((p) => !p.node || !draft.nodes.has(p.node));
  const used = new Set(ips);
  if (orphan || nodes.length === 0) {
    const ip = freeInBlock(subnets[0]?.cidr ?? '10.0.0.0/28', used);
    nodes.push({
      instanceId: madeUpId('i', `${account}/${draft.name}/node`),
      name: null,
      ip,
      subnet: subnets[0]?.id ?? placeholderSubnet,
      vpc: vpcId,
      az: subnets[0]?.az ?? null,
      eniId: null,
      securityGroups: [],
      instanceProfile: null,
      tags: {},
    });
  }
  const nodeName = (n: (typeof nodes)[number]) =>
    n.name ??
    (n.ip ? `ip-${n.ip.replaceAll('.', '-')}.${draft.region}.compute.internal` : n.instanceId);
  const fallbackNode = nodes[nodes.length - 1] as (typeof nodes)[number];
  const pods = [...draft.pods.values()].map((p) => {
    const node = (p.node && draft.nodes.get(p.node)) || fallbackNode;
    const ip = p.hostNetwork ? (node.ip ?? base) : freeIp(node.ip ?? base, used);
    return {
      namespace: p.namespace,
      name: p.name,
      ...(p.uid ? { uid: p.uid } : {}),
      node: nodeName(node),
      ip,
      ...(p.serviceAccount ? { serviceAccount: p.serviceAccount } : {}),
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      ...(p.privileged ? { privileged: true } : {}),
      ...(p.image ? { image: p.image } : {}),
    };
  });
  const serviceAccounts = new Map(draft.serviceAccounts);
  for (const p of draft.pods.values())
    if (p.serviceAccount && !serviceAccounts.has(`${p.namespace}/${p.serviceAccount}`))
      serviceAccounts.set(`${p.namespace}/${p.serviceAccount}`, null);
  return {
    name: draft.name,
    region: draft.region,
    oidcIssuer:
      configured?.oidcIssuer ??
      draft.oidcIssuer ??
      `oidc.eks.${draft.region}.amazonaws.com/id/${hash(`${account}/${draft.name}`, 32).toUpperCase()}`,
    ...(configured?.egressCidrs.length ? { egressCidrs: configured.egressCidrs } : {}),
    vpc: { id: vpcId, cidr: vpcCidr },
    subnets,
    securityGroups: [...groups.values()],
    nodes: nodes.map((n) => ({
      name: nodeName(n),
      instanceId: n.instanceId,
      ...(n.eniId ? { eniId: n.eniId } : {}),
      ip: n.ip ?? base,
      subnet: n.subnet ?? placeholderSubnet,
      ...(n.az ? { az: n.az } : {}),
      ...(n.securityGroups.length > 0 ? { securityGroups: n.securityGroups.map((g) => g.id) } : {}),
      ...(n.instanceProfile ? { instanceProfile: n.instanceProfile } : {}),
      ...(Object.keys(n.tags).length > 0 ? { tags: withoutAwsTags(n.tags) } : {}),
    })),
    serviceAccounts: [...serviceAccounts].map(([key, role]) => {
      const [namespace = '', name = ''] = key.split('/');
      return { namespace, name, ...(role ? { role } : {}) };
    }),
    pods,
  };
}

/** The role behind a node instance profile, named as eksctl and EKS node groups name it. */
function nodeRoleName(profile: string): string {
  return profile.endsWith('InstanceProfile')
    ? profile.replace(/InstanceProfile$/, 'InstanceRole')
    : `${profile}-role`;
}

/** Tags seeding sets itself (and AWS reserves `aws:`) are left out. */
function withoutAwsTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags).filter(
      ([k]) =>
        !k.startsWith('aws:') &&
        k !== 'eks:cluster-name' &&
        !k.startsWith('kubernetes.io/cluster/') &&
        k !== 'Name',
    ),
  );
}

/** A scenario document as a YAML file an editor completes (through the schema at `schemaPath`). */
export function scenarioYaml(document: ScenarioDocument, schemaPath: string, header = ''): string {
  const comment = header
    .split('\n')
    .filter(Boolean)
    .map((line) => `# ${line}\n`)
    .join('');
  return `# yaml-language-server: $schema=${schemaPath}\n${comment}${stringify(document, { lineWidth: 0 })}`;
}
