import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import type { V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { incidentLabel, TOURNIQUET_LABELS } from '@tourniquet/core';
import { isKubeStatus } from '@tourniquet/kube';
import { type BranchEni, findBranchEni } from '../branchEni';
import { defineAction } from '../defineAction';
import { detectEnforcement, type Enforcement, hasPolicyEndpoint } from '../networkEnforcement';
import { notApplicable, protectedByConfig, quarantineGroupFor, resolvePod } from '../resolve';
import {
  findUntrackGroup,
  isTourniquetSetting,
  prefetchUntrackGroups,
  sameGroups,
  setGroups,
  swapToQuarantine,
} from '../securityGroupSwap';
import { podTarget } from '../targets';
import type { ActionContext } from '../types';
import { describeIsolation, type Isolation } from './podIsolation';

interface State {
  pod: V1Pod;
  quarantineLabel: string | null;
  eni: BranchEni | null;
  policy: string;
  policyExists: boolean;
  enforcement: Enforcement;
  /** A PolicyEndpoint of the VPC CNI network policy controller names the policy. */
  policyEndpoint: boolean;
}

/** The journal entry: the pod's network before the incident. */
interface Before {
  eni: { id: string; vpcId: string; groups: string[] } | null;
  quarantineLabel: string | null;
}

const policyName = (incidentKey: string) => `tourniquet-quarantine-${incidentLabel(incidentKey)}`;

/**
 * How long apply waits for the VPC CNI network policy controller to write the PolicyEndpoint
 * before reporting the policy as not (yet) enforced; verify keeps checking after that.
 */
const POLICY_ENDPOINT_POLLS = 5;
const POLICY_ENDPOINT_POLL_MS = 200;

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
    "Cut the pod's network: its branch ENI (Security Groups for Pods) moves to the quarantine group in two steps, and a deny-all NetworkPolicy selects it by a quarantine label. Reports the pod isolated only by what holds: the policy once an enforcer runs (for the VPC CNI, once its PolicyEndpoint exists), the security group in strict SGP mode.",
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
    kubernetes: [
      'get,patch pods',
      'get,create,delete networkpolicies',
      'get namespaces',
      'list daemonsets',
      'get,list policyendpoints',
    ],
  },
  example: {
    kind: 'pod',
    namespace: 'payments',
    name: 'payments-api-7d9f8b6c5-x2kqp',
    uid: '5f0c2a8e-3b7d-4c1a-9e2f-6d8b1a0c4e7f',
  },
  async check(ctx, params) {
    const configured = protectedByConfig(ctx, params.namespace);
    if (configured) return notApplicable(configured);
    // The allow-all group of the cluster's VPCs is looked up while Kubernetes connects and the
    // pod is read (a lookup only: check also serves plans and dry-runs, which create nothing).
    prefetchUntrackGroups(ctx.aws.ec2, Object.keys(ctx.cluster?.quarantineSecurityGroups ?? {}));
    const name = policyName(ctx.incidentKey);
    // Only the ENI lookup needs the pod: everything else is read alongside it.
    const reads = ctx
      .kube()
      .then((kube) =>
        Promise.all([
          kube.readNetworkPolicy(params.namespace, name),
          detectEnforcement(kube),
          hasPolicyEndpoint(kube, params.namespace, name),
        ]),
      );
    reads.catch(() => undefined);
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
    const [eni, [policy, enforcement, policyEndpoint]] = await Promise.all([
      findBranchEni(ctx, pod),
      reads,
    ]);
    return {
      ok: true,
      state: {
        pod,
        quarantineLabel: pod.metadata?.labels?.[TOURNIQUET_LABELS.quarantine] ?? null,
        eni,
        policy: name,
        policyExists: policy !== null,
        enforcement,
        policyEndpoint,
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
  pending(state, ctx) {
    const waiting =
      state.enforcement.enforcer === 'vpc-cni' && state.policyExists && !state.policyEndpoint;
    return waiting
      ? [
          `see a PolicyEndpoint for NetworkPolicy ${policyName(ctx.incidentKey)} (the VPC CNI network policy controller has not materialised it, so it is not enforced)`,
        ]
      : [];
  },
  satisfied(state) {
    const report = describeIsolation(isolationOf(state, state.policyEndpoint));
    return report.isolated ? `pod already ${report.detail}` : report.detail;
  },
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
      createPolicy(ctx, params.namespace, state),
    ]);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const policyEndpoint = (settled[2] as PromiseFulfilledResult<boolean>).value;
    const report = describeIsolation({
      ...isolationOf(state, policyEndpoint),
      eniQuarantined: state.eni !== null,
      policyInPlace: true,
    });
    return {
      detail: report.detail,
      data: {
        isolated: report.isolated,
        mechanisms: report.mechanisms,
        enforcer: state.enforcement.enforcer ?? 'none',
        sgpMode: state.enforcement.sgpMode,
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

/** The state as checked; `policyEndpoint` as last seen. */
function isolationOf(state: State, policyEndpoint: boolean): Isolation {
  return {
    enforcement: state.enforcement,
    eniQuarantined: state.eni !== null && sameGroups(state.eni.groups, [state.eni.quarantineGroup]),
    hasBranchEni: state.eni !== null,
    policyInPlace: state.policyExists && state.quarantineLabel !== null,
    policyEndpoint,
    policyName: state.policy,
  };
}

/**
 * Creates the deny-all policy when missing; then, for the VPC CNI, waits for its PolicyEndpoint
 * (alongside the ENI swap, so off the critical path). Whether the policy is enforced.
 */
async function createPolicy(ctx: ActionContext, namespace: string, state: State): Promise<boolean> {
  if (!state.policyExists) {
    const kube = await ctx.kube();
    await kube
      .createNetworkPolicy(namespace, denyAllPolicy(namespace, ctx.incidentKey))
      .catch((error) => {
        if (!isKubeStatus(error, 409)) throw error;
      });
  }
  if (state.enforcement.enforcer !== 'vpc-cni') return false;
  return state.policyEndpoint || awaitPolicyEndpoint(ctx, namespace);
}

/** The controller writes the PolicyEndpoint shortly after the policy; wait a little for it. */
async function awaitPolicyEndpoint(ctx: ActionContext, namespace: string): Promise<boolean> {
  const kube = await ctx.kube();
  const name = policyName(ctx.incidentKey);
  for (let poll = 0; poll < POLICY_ENDPOINT_POLLS; poll++) {
    if (await hasPolicyEndpoint(kube, namespace, name)) return true;
    await new Promise((resolve) => setTimeout(resolve, POLICY_ENDPOINT_POLL_MS));
  }
  return hasPolicyEndpoint(kube, namespace, name);
}
