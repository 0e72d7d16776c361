import { DescribeNetworkInterfacesCommand, type NetworkInterface } from '@aws-sdk/client-ec2';
import type { V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { incidentLabel, TOURNIQUET_LABELS } from '@tourniquet/core';
import { isKubeStatus } from '@tourniquet/kube';
import { defineAction } from '../defineAction';
import { PermanentActionError } from '../errors';
import { notApplicable, quarantineGroupFor, resolvePod } from '../resolve';
import {
  findUntrackGroup,
  isTourniquetSetting,
  sameGroups,
  setGroups,
  swapToQuarantine,
} from '../securityGroupSwap';
import { podTarget } from '../targets';
import type { ActionContext } from '../types';

interface BranchEni {
  id: string;
  vpcId: string;
  groups: string[];
  quarantineGroup: string;
}

interface State {
  pod: V1Pod;
  quarantineLabel: string | null;
  eni: BranchEni | null;
  policyExists: boolean;
}

/** The journal entry: the pod's network before the incident. */
interface Before {
  eni: { id: string; vpcId: string; groups: string[] } | null;
  quarantineLabel: string | null;
}

const policyName = (incidentKey: string) => `tourniquet-quarantine-${incidentLabel(incidentKey)}`;

/** VPC resource controller branch ENIs (Security Groups for Pods) carry the pod's IP. */
function isBranchEni(eni: NetworkInterface): boolean {
  return eni.InterfaceType === 'branch' || eni.Description === 'aws-k8s-branch-eni';
}

async function findBranchEni(ctx: ActionContext, podIp: string): Promise<BranchEni | null> {
  const { NetworkInterfaces = [] } = await ctx.aws.ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'addresses.private-ip-address', Values: [podIp] }],
    }),
  );
  const eni = NetworkInterfaces.find(isBranchEni);
  if (!eni?.NetworkInterfaceId || !eni.VpcId) return null;
  const quarantineGroup = quarantineGroupFor(ctx, eni.VpcId);
  if (!quarantineGroup) {
    throw new PermanentActionError(
      `pod IP ${podIp} is on branch ENI ${eni.NetworkInterfaceId} in ${eni.VpcId}, but the cluster config has no quarantineSecurityGroups entry for that VPC`,
    );
  }
  // Warm the allow-all group lookup now so it is off the critical path of the swap (a lookup
  // only: check also serves plans and dry-runs, which must not create anything).
  void findUntrackGroup(ctx.aws.ec2, eni.VpcId).catch(() => undefined);
  return {
    id: eni.NetworkInterfaceId,
    vpcId: eni.VpcId,
    groups: (eni.Groups ?? []).map((g) => g.GroupId as string),
    quarantineGroup,
  };
}

function denyAllPolicy(namespace: string, incidentKey: string): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policyName(incidentKey),
      namespace,
      labels: { [TOURNIQUET_LABELS.incident]: incidentLabel(incidentKey) },
      annotations: { [TOURNIQUET_LABELS.incidentKey]: incidentKey },
    },
    spec: {
      podSelector: { matchLabels: { [TOURNIQUET_LABELS.quarantine]: incidentLabel(incidentKey) } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    },
  };
}

export const isolatePod = defineAction({
  name: 'isolate-pod',
  description:
    "Cut the pod's network: its branch ENI (Security Groups for Pods) moves to the quarantine group in two steps, and a deny-all NetworkPolicy selects it by a quarantine label.",
  params: podTarget,
  permissions: {
    iam: [
      'ec2:DescribeNetworkInterfaces',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:DescribeSecurityGroups',
      'ec2:CreateSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:CreateTags',
    ],
    kubernetes: ['get,patch pods', 'get,create,delete networkpolicies', 'get namespaces'],
  },
  example: {
    kind: 'pod',
    namespace: 'payments',
    name: 'payments-api-7d9f8b6c5-x2kqp',
    uid: '5f0c2a8e-3b7d-4c1a-9e2f-6d8b1a0c4e7f',
  },
  async check(ctx, params) {
    const resolved = await resolvePod(ctx, params);
    if ('skip' in resolved) return notApplicable(resolved);
    const pod = resolved.value;
    if (pod.spec?.hostNetwork) {
      return {
        ok: false,
        reason:
          'the pod uses hostNetwork: it shares the node network, so only isolate-node can cut it',
      };
    }
    const podIp = pod.status?.podIP;
    const [eni, policy] = await Promise.all([
      podIp ? findBranchEni(ctx, podIp) : Promise.resolve(null),
      (await ctx.kube()).readNetworkPolicy(params.namespace, policyName(ctx.incidentKey)),
    ]);
    return {
      ok: true,
      state: {
        pod,
        quarantineLabel: pod.metadata?.labels?.[TOURNIQUET_LABELS.quarantine] ?? null,
        eni,
        policyExists: policy !== null,
      },
    };
  },
  plan(state, ctx) {
    const changes: string[] = [];
    if (state.eni && !sameGroups(state.eni.groups, [state.eni.quarantineGroup])) {
      changes.push(
        `move branch ENI ${state.eni.id} from ${state.eni.groups.join(',')} to ${state.eni.quarantineGroup}`,
      );
    }
    if (state.quarantineLabel !== incidentLabel(ctx.incidentKey)) {
      changes.push(`label ${TOURNIQUET_LABELS.quarantine}=${incidentLabel(ctx.incidentKey)}`);
    }
    if (!state.policyExists)
      changes.push(`create NetworkPolicy ${policyName(ctx.incidentKey)} (deny all)`);
    return changes;
  },
  satisfied: (state) => `pod already isolated (${mechanisms(state).join(' + ')})`,
  before: (state): Before => ({
    eni: state.eni ? { id: state.eni.id, vpcId: state.eni.vpcId, groups: state.eni.groups } : null,
    quarantineLabel: state.quarantineLabel,
  }),
  async execute(ctx, params, state) {
    const kube = await ctx.kube();
    const label = incidentLabel(ctx.incidentKey);
    const eni =
      state.eni && !sameGroups(state.eni.groups, [state.eni.quarantineGroup]) ? state.eni : null;
    // The three changes are independent: run them together to keep the critical path short,
    // and let each finish before reporting (a Lambda frozen mid-change would leave it unknown).
    const settled = await Promise.allSettled([
      eni ? swapToQuarantine(ctx.aws.ec2, eni, eni.quarantineGroup) : null,
      state.quarantineLabel === label
        ? null
        : kube.patchPodMetadata(params.namespace, params.name, {
            labels: { [TOURNIQUET_LABELS.quarantine]: label },
          }),
      state.policyExists
        ? null
        : kube
            .createNetworkPolicy(params.namespace, denyAllPolicy(params.namespace, ctx.incidentKey))
            .catch((error) => {
              if (!isKubeStatus(error, 409)) throw error;
            }),
    ]);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const used = mechanisms(state);
    return {
      detail: `isolated by ${used.join(' + ')}${state.eni ? '' : ' (no branch ENI: the pod uses the node ENI, so only the NetworkPolicy applies)'}`,
      data: {
        mechanisms: used,
        branchEni: state.eni?.id ?? null,
        podIp: state.pod.status?.podIP ?? null,
      },
    };
  },
  /**
   * Puts back what the journal recorded, each part only while Tourniquet's change is still
   * there: the ENI while it sits on the quarantine (or untrack) group, the NetworkPolicy this
   * incident created (its name and incident label), the quarantine label while it names this
   * incident.
   */
  async restore(ctx, subject, before: Before) {
    const kube = await ctx.kube();
    const label = incidentLabel(ctx.incidentKey);
    const changes: string[] = [];
    if (before.eni) {
      const { NetworkInterfaces = [] } = await ctx.aws.ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [before.eni.id] }),
      );
      const current = (NetworkInterfaces[0]?.Groups ?? []).map((g) => g.GroupId as string);
      const untrack = await findUntrackGroup(ctx.aws.ec2, before.eni.vpcId);
      const quarantine = quarantineGroupFor(ctx, before.eni.vpcId);
      if (
        NetworkInterfaces[0] &&
        !sameGroups(current, before.eni.groups) &&
        isTourniquetSetting(current, quarantine, untrack)
      ) {
        await setGroups(ctx.aws.ec2, before.eni.id, before.eni.groups);
        changes.push(`branch ENI ${before.eni.id} back on ${before.eni.groups.join(',')}`);
      }
    }
    const name = policyName(ctx.incidentKey);
    const policy = await kube.readNetworkPolicy(subject.namespace, name);
    if (
      policy?.metadata?.labels?.[TOURNIQUET_LABELS.incident] === label &&
      (await kube.deleteNetworkPolicy(subject.namespace, name))
    ) {
      changes.push(`deleted NetworkPolicy ${name}`);
    }
    const pod = await kube.readPod(subject.namespace, subject.name);
    if (pod && pod.metadata?.labels?.[TOURNIQUET_LABELS.quarantine] === label) {
      await kube.patchPodMetadata(subject.namespace, subject.name, {
        labels: { [TOURNIQUET_LABELS.quarantine]: before.quarantineLabel },
      });
      changes.push(`restored ${TOURNIQUET_LABELS.quarantine} label`);
    }
    return changes;
  },
});

function mechanisms(state: State): string[] {
  return state.eni ? ['security-group', 'network-policy'] : ['network-policy'];
}
