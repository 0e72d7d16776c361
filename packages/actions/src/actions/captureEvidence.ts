import { CreateSnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { incidentLabel, TOURNIQUET_LABELS } from '@tourniquet/core';
import { defineAction } from '../defineAction';
import { notApplicable, resolveInstance } from '../resolve';
import { nodeTarget } from '../targets';
import type { ActionContext } from '../types';

interface State {
  instanceId: string;
  volumes: string[];
  /** volume id → snapshot id already taken for this incident */
  snapshots: Record<string, string>;
}

async function podEvidence(ctx: ActionContext): Promise<Record<string, unknown> | null> {
  const pod = ctx.finding?.pod;
  if (!pod) return null;
  const spec = await (await ctx.kube()).readPod(pod.namespace, pod.name);
  return spec ? JSON.parse(JSON.stringify(spec)) : null;
}

export const captureEvidence = defineAction({
  name: 'capture-evidence',
  description:
    'Snapshot every EBS volume of the node, tagged with the incident, and record the pod spec and the finding. Runs before anything destructive; undo keeps the evidence.',
  params: nodeTarget,
  permissions: {
    iam: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:CreateSnapshot', 'ec2:CreateTags'],
    kubernetes: ['get pods', 'get nodes'],
  },
  example: { kind: 'node', instanceId: 'i-0a1b2c3d4e5f60718' },
  async check(ctx, params) {
    const instance = await resolveInstance(ctx, params);
    if ('skip' in instance) return notApplicable(instance);
    const instanceId = instance.value.InstanceId as string;
    const volumes = (instance.value.BlockDeviceMappings ?? [])
      .map((m) => m.Ebs?.VolumeId)
      .filter((v): v is string => Boolean(v));
    const snapshots = await taggedSnapshots(ctx);
    return { ok: true, state: { instanceId, volumes, snapshots } satisfies State };
  },
  plan: (state) => state.volumes.filter((v) => !state.snapshots[v]).map((v) => `snapshot ${v}`),
  satisfied: (state) =>
    `every volume of ${state.instanceId} already has a snapshot for this incident`,
  async execute(ctx, _params, state) {
    const tags = [
      { Key: TOURNIQUET_LABELS.incident, Value: incidentLabel(ctx.incidentKey) },
      { Key: TOURNIQUET_LABELS.incidentKey, Value: ctx.incidentKey.slice(0, 256) },
      { Key: 'tourniquet.io/instance', Value: state.instanceId },
    ];
    // Every snapshot call finishes before the step reports: were one to fail while another is
    // still in flight, the retry's check would not see the second and would take it again.
    const [snapshotCalls, podRead] = await Promise.allSettled([
      Promise.allSettled(
        state.volumes
          .filter((v) => !state.snapshots[v])
          .map(async (volume) => {
            try {
              const { SnapshotId } = await ctx.aws.ec2Once.send(
                new CreateSnapshotCommand({
                  VolumeId: volume,
                  Description: `Tourniquet evidence for ${ctx.incidentKey}`.slice(0, 255),
                  TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
                }),
              );
              return [volume, SnapshotId as string] as const;
            } catch (error) {
              // The answer may have been lost after the snapshot was taken: adopt it if so,
              // otherwise fail (the playbook retries the action, whose check sees what exists).
              const existing = await taggedSnapshots(ctx, volume);
              if (existing[volume]) return [volume, existing[volume]] as const;
              throw error;
            }
          }),
      ),
      podEvidence(ctx),
    ]);
    // allSettled never rejects; the pod read may.
    const settled = snapshotCalls.status === 'fulfilled' ? snapshotCalls.value : [];
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (podRead.status === 'rejected') throw podRead.reason;
    const pod = podRead.value;
    const taken = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const snapshots = { ...state.snapshots, ...Object.fromEntries(taken) };
    return {
      detail: `snapshotted ${taken.length} volume(s) of ${state.instanceId}: ${taken.map(([, s]) => s).join(', ')}`,
      data: { snapshots, evidence: { podSpec: pod, finding: ctx.finding } },
    };
  },
  noUndo: 'evidence is kept: snapshots are never deleted by Tourniquet',
});

/** This incident's evidence snapshots by volume (of one volume when given). */
async function taggedSnapshots(
  ctx: ActionContext,
  volume?: string,
): Promise<Record<string, string>> {
  const { Snapshots = [] } = await ctx.aws.ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${TOURNIQUET_LABELS.incident}`, Values: [incidentLabel(ctx.incidentKey)] },
        ...(volume ? [{ Name: 'volume-id', Values: [volume] }] : []),
      ],
    }),
  );
  const snapshots: Record<string, string> = {};
  for (const s of Snapshots) if (s.VolumeId && s.SnapshotId) snapshots[s.VolumeId] = s.SnapshotId;
  return snapshots;
}
