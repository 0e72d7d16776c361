import {
  DescribeIamInstanceProfileAssociationsCommand,
  type IamInstanceProfileAssociation,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { defineAction } from '../defineAction';
import { PermanentActionError } from '../errors';
import { notApplicable, resolveInstance } from '../resolve';
import { nodeTarget } from '../targets';
import type { ActionContext } from '../types';

/**
 * The instance profile the deployment creates for quarantined instances: its role's only policy
 * denies every action, so whatever the instance (or an attacker on it) fetches from IMDS after
 * the swap can do nothing. The deployment owns it (infra/denyAllInstanceProfile.ts); an action
 * never creates IAM roles.
 */
export const DENY_ALL_INSTANCE_PROFILE = 'tourniquet-quarantine-deny-all';

interface State {
  instanceId: string;
  /** The association in force (associating or associated). */
  association: { id: string; profileArn: string };
  denyAllArn: string;
}

/** The journal entry: the profile the instance had before the incident. */
interface Before {
  instanceId: string;
  profileArn: string;
}

/** The instance's current association; a replaced one is reported disassociating/disassociated. */
export async function currentAssociation(
  ctx: ActionContext,
  instanceId: string,
): Promise<IamInstanceProfileAssociation | null> {
  const { IamInstanceProfileAssociations = [] } = await ctx.aws.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({
      Filters: [
        { Name: 'instance-id', Values: [instanceId] },
        { Name: 'state', Values: ['associating', 'associated'] },
      ],
    }),
  );
  return IamInstanceProfileAssociations[0] ?? null;
}

async function denyAllProfileArn(ctx: ActionContext): Promise<string> {
  try {
    const { InstanceProfile } = await ctx.aws.iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: DENY_ALL_INSTANCE_PROFILE }),
    );
    if (InstanceProfile?.Arn) return InstanceProfile.Arn;
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchEntityException') throw error;
  }
  throw new PermanentActionError(
    `instance profile ${DENY_ALL_INSTANCE_PROFILE} does not exist in this account: it is deployed with Tourniquet (infra/denyAllInstanceProfile.ts); deploy before quarantining an instance profile`,
  );
}

const replace = (ctx: ActionContext, associationId: string, profileArn: string) =>
  ctx.aws.ec2.send(
    new ReplaceIamInstanceProfileAssociationCommand({
      AssociationId: associationId,
      IamInstanceProfile: { Arn: profileArn },
    }),
  );

export const quarantineInstanceProfile = defineAction({
  name: 'quarantine-instance-profile',
  description:
    "Cut one instance's AWS credentials without touching the other instances that share its role: its instance profile association is replaced with the deny-all profile the deployment owns. Credentials already issued stay valid until they expire. Undo puts the original profile back, only while the deny-all profile is still the one associated.",
  params: nodeTarget,
  permissions: {
    iam: [
      'ec2:DescribeInstances',
      'ec2:DescribeIamInstanceProfileAssociations',
      'ec2:ReplaceIamInstanceProfileAssociation',
      'iam:GetInstanceProfile',
      'iam:PassRole',
    ],
    kubernetes: ['get pods', 'get nodes'],
  },
  example: { kind: 'node', instanceId: 'i-0a1b2c3d4e5f60718' },
  async check(ctx, params) {
    const instance = await resolveInstance(ctx, params);
    if ('skip' in instance) return notApplicable(instance);
    const instanceId = instance.value.InstanceId as string;
    const [association, denyAllArn] = await Promise.all([
      currentAssociation(ctx, instanceId),
      denyAllProfileArn(ctx),
    ]);
    const profileArn = association?.IamInstanceProfile?.Arn;
    if (!association?.AssociationId || !profileArn) {
      return {
        ok: false,
        reason: `instance ${instanceId} has no instance profile: it holds no role credentials to cut`,
      };
    }
    return {
      ok: true,
      state: {
        instanceId,
        association: { id: association.AssociationId, profileArn },
        denyAllArn,
      } satisfies State,
    };
  },
  plan(state) {
    if (state.association.profileArn === state.denyAllArn) return [];
    return [
      `replace instance profile ${state.association.profileArn} of ${state.instanceId} with ${state.denyAllArn}`,
    ];
  },
  resolved: (state) => state.instanceId,
  satisfied: (state) =>
    `instance ${state.instanceId} already has the deny-all instance profile ${state.denyAllArn}`,
  before: (state): Before => ({
    instanceId: state.instanceId,
    profileArn: state.association.profileArn,
  }),
  async execute(ctx, _params, state, recorded) {
    const { IamInstanceProfileAssociation: now } = await replace(
      ctx,
      state.association.id,
      state.denyAllArn,
    );
    const original = (recorded as Before | null)?.profileArn ?? state.association.profileArn;
    return {
      detail: `instance ${state.instanceId}: instance profile ${original} replaced by ${state.denyAllArn}; credentials already issued to it stay valid until they expire`,
      data: {
        instanceId: state.instanceId,
        replaced: original,
        profile: state.denyAllArn,
        // A replacement is a new association (the old one is disassociated).
        associationId: now?.AssociationId ?? null,
      },
    };
  },
  /**
   * Puts the recorded profile back only while the deny-all profile is the one associated: a
   * profile anyone associated since (an operator's fix, or an attacker's swap) is left alone.
   */
  async restore(ctx, _subject, before: Before) {
    const [association, denyAllArn] = await Promise.all([
      currentAssociation(ctx, before.instanceId),
      denyAllProfileArn(ctx),
    ]);
    if (!association?.AssociationId || association.IamInstanceProfile?.Arn !== denyAllArn)
      return [];
    await replace(ctx, association.AssociationId, before.profileArn);
    return [`instance ${before.instanceId} back on instance profile ${before.profileArn}`];
  },
});
