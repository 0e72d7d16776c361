import {
  DescribeAutoScalingInstancesCommand,
  SetInstanceProtectionCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceAttributeCommand,
  ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { defineAction } from '../defineAction';
import { notApplicable, resolveInstance } from '../resolve';
import { nodeTarget } from '../targets';

interface State {
  instanceId: string;
  terminationProtected: boolean;
  autoScalingGroup: string | null;
  scaleInProtected: boolean;
}

export const protectNode = defineAction({
  name: 'protect-node',
  description:
    'Keep the node (and its evidence) from being terminated: EC2 termination protection and, in an Auto Scaling group, scale-in protection. Not possible on Spot instances.',
  params: nodeTarget,
  permissions: {
    iam: [
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceAttribute',
      'ec2:ModifyInstanceAttribute',
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:SetInstanceProtection',
    ],
    kubernetes: ['get pods', 'get nodes'],
  },
  example: { kind: 'node', instanceId: 'i-0a1b2c3d4e5f60718' },
  async check(ctx, params) {
    const instance = await resolveInstance(ctx, params);
    if ('skip' in instance) return notApplicable(instance);
    const instanceId = instance.value.InstanceId as string;
    if (instance.value.InstanceLifecycle === 'spot') {
      return {
        ok: false,
        reason: `cannot protect ${instanceId}: it is a Spot instance, and EC2 does not allow termination protection on Spot instances; Spot interruption may destroy the evidence`,
      };
    }
    const [attribute, asg] = await Promise.all([
      ctx.aws.ec2.send(
        new DescribeInstanceAttributeCommand({
          InstanceId: instanceId,
          Attribute: 'disableApiTermination',
        }),
      ),
      ctx.aws.autoscaling.send(
        new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
      ),
    ]);
    const member = asg.AutoScalingInstances?.[0];
    return {
      ok: true,
      state: {
        instanceId,
        terminationProtected: attribute.DisableApiTermination?.Value === true,
        autoScalingGroup: member?.AutoScalingGroupName ?? null,
        scaleInProtected: member?.ProtectedFromScaleIn === true,
      } satisfies State,
    };
  },
  plan(state) {
    const changes: string[] = [];
    if (!state.terminationProtected)
      changes.push(`enable termination protection on ${state.instanceId}`);
    if (state.autoScalingGroup && !state.scaleInProtected) {
      changes.push(`enable scale-in protection in ${state.autoScalingGroup}`);
    }
    return changes;
  },
  satisfied: (state) => `${state.instanceId} is already protected`,
  before: (state) => state,
  async execute(ctx, _params, state) {
    await Promise.all([
      state.terminationProtected ? null : setTermination(ctx.aws.ec2, state.instanceId, true),
      state.autoScalingGroup && !state.scaleInProtected
        ? setScaleIn(ctx.aws.autoscaling, state.autoScalingGroup, state.instanceId, true)
        : null,
    ]);
    return { detail: `protected ${state.instanceId}` };
  },
  /** Turns off only the protections that were off before the incident. */
  async restore(ctx, _subject, before: State) {
    const changes: string[] = [];
    if (!before.terminationProtected) {
      await setTermination(ctx.aws.ec2, before.instanceId, false);
      changes.push(`termination protection off on ${before.instanceId}`);
    }
    if (before.autoScalingGroup && !before.scaleInProtected) {
      await setScaleIn(ctx.aws.autoscaling, before.autoScalingGroup, before.instanceId, false);
      changes.push(`scale-in protection off in ${before.autoScalingGroup}`);
    }
    return changes;
  },
});

function setTermination(
  ec2: import('@aws-sdk/client-ec2').EC2Client,
  instanceId: string,
  value: boolean,
) {
  return ec2.send(
    new ModifyInstanceAttributeCommand({
      InstanceId: instanceId,
      DisableApiTermination: { Value: value },
    }),
  );
}

function setScaleIn(
  autoscaling: import('@aws-sdk/client-auto-scaling').AutoScalingClient,
  group: string,
  instanceId: string,
  value: boolean,
) {
  return autoscaling.send(
    new SetInstanceProtectionCommand({
      AutoScalingGroupName: group,
      InstanceIds: [instanceId],
      ProtectedFromScaleIn: value,
    }),
  );
}
