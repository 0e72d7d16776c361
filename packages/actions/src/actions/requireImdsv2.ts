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
  async execute(ctx, _params, state) {
    await ctx.aws.ec2.send(
      new ModifyInstanceMetadataOptionsCommand({
        InstanceId: state.instanceId,
        HttpTokens: 'required',
        HttpEndpoint: 'enabled',
      }),
    );
    return { undo: state, detail: `IMDSv2 required on ${state.instanceId}` };
  },
  async restore(ctx, _params, saved: State) {
    await ctx.aws.ec2.send(
      new ModifyInstanceMetadataOptionsCommand({
        InstanceId: saved.instanceId,
        HttpTokens: saved.httpTokens as 'optional' | 'required',
      }),
    );
    return [`HttpTokens back to ${saved.httpTokens} on ${saved.instanceId}`];
  },
});
