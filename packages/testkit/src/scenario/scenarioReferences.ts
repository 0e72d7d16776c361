import { didYouMean, type FieldProblem } from '@tourniquet/core';
import type { Scenario } from './scenario';

/** Names that must match something else in the scenario (a pod's node, a group's id, …). */
export function crossReferenceProblems(scenario: Scenario): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const accounts = [
    { at: '', account: scenario.account, clusters: scenario.clusters, roles: scenario.roles },
    ...scenario.accounts.map((m, mi) => ({
      at: `accounts.${mi}.`,
      account: m.account,
      clusters: m.clusters,
      roles: m.roles,
    })),
  ];
  for (const [mi, m] of scenario.accounts.entries()) {
    if (m.account === scenario.account)
      problems.push({
        path: `accounts.${mi}.account`,
        message: `member account ${m.account} is the hub's own account`,
      });
  }
  const seenAccounts = new Set<string>();
  for (const [mi, m] of scenario.accounts.entries()) {
    if (seenAccounts.has(m.account))
      problems.push({
        path: `accounts.${mi}.account`,
        message: `account ${m.account} is listed twice`,
      });
    seenAccounts.add(m.account);
  }
  // Replay runs one Kubernetes simulator per cluster name, whichever account it is in.
  const everyClusterName = new Set<string>();
  for (const { at: prefix, clusters, roles } of accounts) {
    const clusterNames = new Set<string>();
    for (const [ci, c] of clusters.entries()) {
      const at = `${prefix}clusters.${ci}`;
      if (everyClusterName.has(c.name))
        problems.push({ path: `${at}.name`, message: `cluster ${c.name} is listed twice` });
      clusterNames.add(c.name);
      everyClusterName.add(c.name);
      const subnets = new Set(c.subnets.map((s) => s.id));
      const groups = new Set(c.securityGroups.map((g) => g.id));
      const knownGroup = (id: string, path: string) => {
        if (!groups.has(id))
          problems.push({
            path,
            message: `${id} is not one of the cluster's securityGroups${didYouMean(id, groups)}`,
          });
      };
      if (c.access?.mode === 'vpc') {
        const stray = c.access.subnetIds.find((id) => !subnets.has(id));
        if (stray)
          problems.push({
            path: `${at}.access.subnetIds`,
            message: `${stray} is not a subnet of the cluster's VPC`,
          });
        knownGroup(c.access.securityGroupId, `${at}.access.securityGroupId`);
      }
      const nodes = new Set<string>();
      for (const [ni, n] of c.nodes.entries()) {
        if (nodes.has(n.name))
          problems.push({
            path: `${at}.nodes.${ni}.name`,
            message: `node ${n.name} is listed twice`,
          });
        nodes.add(n.name);
        if (!subnets.has(n.subnet))
          problems.push({
            path: `${at}.nodes.${ni}.subnet`,
            message: `${n.subnet} is not one of the cluster's subnets${didYouMean(n.subnet, subnets)}`,
          });
        for (const [gi, g] of n.securityGroups.entries())
          knownGroup(g, `${at}.nodes.${ni}.securityGroups.${gi}`);
      }
      const pods = new Set<string>();
      for (const [pi, p] of c.pods.entries()) {
        const key = `${p.namespace}/${p.name}`;
        if (pods.has(key))
          problems.push({ path: `${at}.pods.${pi}.name`, message: `pod ${key} is listed twice` });
        pods.add(key);
        if (!nodes.has(p.node))
          problems.push({
            path: `${at}.pods.${pi}.node`,
            message: `no node named ${p.node}${didYouMean(p.node, nodes)}`,
          });
        for (const [gi, g] of (p.securityGroups ?? []).entries())
          knownGroup(g, `${at}.pods.${pi}.securityGroups.${gi}`);
        if (p.eniId && (!p.securityGroups || p.hostNetwork))
          problems.push({
            path: `${at}.pods.${pi}.eniId`,
            message: 'only a pod with securityGroups (and without hostNetwork) has a branch ENI',
          });
      }
    }
    for (const [ri, r] of roles.entries()) {
      if (r.trust !== 'ec2' && !clusterNames.has(r.trust.irsa.cluster))
        problems.push({
          path: `${prefix}roles.${ri}.trust.irsa.cluster`,
          message: `no cluster named ${r.trust.irsa.cluster} in this account${didYouMean(r.trust.irsa.cluster, clusterNames)}`,
        });
    }
  }
  return problems;
}
