import { ModifyInstanceMetadataOptionsCommand } from '@aws-sdk/client-ec2';
import { defineAction } from '../defineAction';
import { describeInstance, notApplicable } from '../resolve';
import { instanceTarget } from '../targets';

interface State {
  instanceId: string;
  httpTokens: string;
}

export const requireImdsv2 = defineAction({
  name: 'require-imdsv2',
  description:
    'Require IMDSv2 session tokens on the instance (HttpTokens=required), closing the IMDSv1 credential-theft path.',
  params: instanceTarget,
  permissions: {
    iam: ['ec2:DescribeInstances', 'ec2:ModifyInstanceMetadataOptions'],
    kubernetes: [],
  },
  example: { kind: 'instance', instanceId: 'i-0a1b2c3d4e5f60718' },
  async check(ctx, params) {
    const instance = await describeInstance(ctx, params.instanceId);
    if ('skip' in instance) return notApplicable(instance);
    return {
      ok: true,
      state: {
        instanceId: params.instanceId,
        httpTokens: instance.value.MetadataOptions?.HttpTokens ?? 'optional',
      },
    };
  },
  plan: (state) =>
    state.httpTokens === 'required' ? [] : [`set HttpTokens=required on ${state.instanceId}`],
  satisfied: (state) => `${state.instanceId} already requires IMDSv2`,
  before: (state) => state,
  async execute(ctx, _params, state) {
    await ctx.aws.ec2.send(
      new ModifyInstanceMetadataOptionsCommand({
        InstanceId: state.instanceId,
        HttpTokens: 'required',
        HttpEndpoint: 'enabled',
      }),
    );
    return { detail: `IMDSv2 required on ${state.instanceId}` };
  },
  /** Puts back the earlier setting only while the instance still has the one Tourniquet set. */
  async restore(ctx, subject, before: State) {
    if (before.httpTokens === 'required') return [];
    const instance = await describeInstance(ctx, subject.instanceId);
    if ('skip' in instance || instance.value.MetadataOptions?.HttpTokens !== 'required') return [];
    await ctx.aws.ec2.send(
      new ModifyInstanceMetadataOptionsCommand({
        InstanceId: before.instanceId,
        HttpTokens: before.httpTokens as 'optional' | 'required',
      }),
    );
    return [`HttpTokens back to ${before.httpTokens} on ${before.instanceId}`];
  },
});
