import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import type { V1DaemonSet } from '@kubernetes/client-node';
import { enforcementOf, resolveRoleName, revokePolicyName } from '@tourniquet/actions';
import { type Plan, roleName } from '@tourniquet/core';
import type { LocalWorld } from '../localWorld';
import { policyEnforced } from './policyEnforced';

/** What the emulators say after a replay: the facts a responder asks first. */
export interface ReplayState {
  pod: {
    namespace: string;
    name: string;
    exists: boolean;
    isolated: boolean;
    mechanisms: string[];
  } | null;
  node: { name: string; instanceId: string; schedulable: boolean } | null;
  role: { name: string; revocationPolicy: boolean } | null;
  ticket: string | null;
}

interface Results {
  [key: string]: { status?: string; data?: Record<string, unknown> } | undefined;
}

/** Reads the final state back from moto and the Kubernetes simulator (not from the outcomes). */
export async function describeState(
  world: LocalWorld,
  plan: Plan,
  results: Results,
  ticket: string | null,
): Promise<ReplayState> {
  const f = plan.finding;
  const simulator = f.cluster ? world.simulators.get(f.cluster) : undefined;
  const region = world.config.clusters.find((c) => c.name === f.cluster)?.region ?? f.region;
  // Observation, not the system under test: never through the fault proxy.
  const aws = world.inspect(region, f.account);
  const state: ReplayState = { pod: null, node: null, role: null, ticket };

  let nodeName: string | null = null;
  if (f.pod && simulator) {
    const pod = simulator.get('v1', 'Pod', f.pod.namespace, f.pod.name) as
      | {
          metadata: { labels?: Record<string, string> };
          spec?: { nodeName?: string };
          status?: { podIP?: string };
        }
      | undefined;
    const mechanisms: string[] = [];
    if (pod) {
      nodeName = pod.spec?.nodeName ?? null;
      const enforcement = enforcementOf(
        simulator
          .list('apps/v1', 'DaemonSet')
          .filter((d) => d.metadata.namespace === 'kube-system') as V1DaemonSet[],
      );
      if (policyEnforced(simulator, f.pod.namespace, pod.metadata.labels, enforcement)) {
        mechanisms.push('network-policy');
      }
      const podIp = pod.status?.podIP;
      const cluster = world.config.clusters.find((c) => c.name === f.cluster);
      const quarantine = new Set(Object.values(cluster?.quarantineSecurityGroups ?? {}));
      // In standard SGP mode the node's groups carry traffic leaving the VPC: no cut.
      const vpcs = Object.keys(cluster?.quarantineSecurityGroups ?? {});
      if (podIp && enforcement.sgpMode === 'strict') {
        const { NetworkInterfaces = [] } = await aws.ec2.send(
          new DescribeNetworkInterfacesCommand({
            Filters: [
              { Name: 'addresses.private-ip-address', Values: [podIp] },
              ...(vpcs.length > 0 ? [{ Name: 'vpc-id', Values: vpcs }] : []),
            ],
          }),
        );
        const branch = NetworkInterfaces.find((e) => e.Description === 'aws-k8s-branch-eni');
        const groups = (branch?.Groups ?? []).map((g) => g.GroupId as string);
        if (groups.length > 0 && groups.every((g) => quarantine.has(g)))
          mechanisms.unshift('security-group');
      }
    }
    state.pod = {
      namespace: f.pod.namespace,
      name: f.pod.name,
      exists: Boolean(pod),
      isolated: mechanisms.length > 0,
      mechanisms,
    };
  }

  const instanceId = f.node?.instanceId ?? null;
  if (simulator && (instanceId || nodeName)) {
    const nodes = simulator.list('v1', 'Node') as Array<{
      metadata: { name: string };
      spec?: { providerID?: string; unschedulable?: boolean };
    }>;
    const node = nodes.find((n) =>
      instanceId ? n.spec?.providerID?.endsWith(`/${instanceId}`) : n.metadata.name === nodeName,
    );
    if (node) {
      state.node = {
        name: node.metadata.name,
        instanceId: node.spec?.providerID?.split('/').pop() ?? '',
        schedulable: node.spec?.unschedulable !== true,
      };
    }
  }

  const role =
    (results.revokeRoleSessions?.data?.role as string | undefined) ?? (await planRole(world, plan));
  if (role) {
    let revocationPolicy = false;
    try {
      await aws.iam.send(
        new GetRolePolicyCommand({
          RoleName: role,
          PolicyName: revokePolicyName(plan.incidentKey),
        }),
      );
      revocationPolicy = true;
    } catch {
      revocationPolicy = false;
    }
    state.role = { name: role, revocationPolicy };
  }
  return state;
}

/** The role the plan's revoke step targets, resolved as the action would (IRSA annotation, profile). */
async function planRole(world: LocalWorld, plan: Plan): Promise<string | undefined> {
  const subject = plan.steps.find((s) => s.action === 'revoke-role-sessions')?.subject;
  if (!subject)
    return plan.finding.role ? roleName(plan.finding.role.arn).split('/').pop() : undefined;
  if (
    subject.kind !== 'role' &&
    subject.kind !== 'serviceaccount-role' &&
    subject.kind !== 'instance-profile-role'
  )
    return undefined;
  const ctx = world.context({
    incidentKey: plan.incidentKey,
    clusterName: plan.finding.cluster ?? '',
  });
  try {
    const resolved = await resolveRoleName(ctx, subject);
    return 'value' in resolved ? resolved.value : undefined;
  } catch {
    // The state report is best effort: a role that cannot be resolved is reported as unknown.
    return undefined;
  }
}
