import { describeProblems, isApprovalId, zodProblems } from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import { InteractionPayloadError } from '../errors';
import { APPROVAL_ACTIONS } from '../message/approvalMessage';

const blockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({
    id: z.string().check(z.regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user id')),
    username: z.optional(z.string().check(z.maxLength(200))),
    name: z.optional(z.string().check(z.maxLength(200))),
    team_id: z.optional(z.string()),
  }),
  team: z.nullish(z.looseObject({ id: z.string() })),
  container: z.optional(
    z.looseObject({ message_ts: z.optional(z.string()), channel_id: z.optional(z.string()) }),
  ),
  channel: z.nullish(z.looseObject({ id: z.string() })),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string(),
        value: z.optional(z.string()),
        action_ts: z.optional(z.string()),
      }),
    )
    .check(z.length(1, 'expected exactly one action')),
});

export type ApprovalChoice = 'approve' | 'deny';
/** What a click asks for: a decision on the approval, or a release of its incident. */
export type ClickChoice = ApprovalChoice | 'release';

/** A click on an approval button, as far as the (verified) payload says. */
export interface ApprovalClick {
  choice: ClickChoice;
  approvalId: string;
  user: { id: string; name: string };
  teamId: string;
  channelId: string;
  messageTs: string | null;
}

/**
 * Reads the `payload=` form field Slack posts and checks it is a click on one of Tourniquet's
 * buttons. Call only after the signature was verified: unsigned input is never parsed.
 */
export function parseInteraction(rawBody: Buffer | string): ApprovalClick {
  const form = new URLSearchParams(rawBody.toString());
  const payloads = form.getAll('payload');
  if (payloads.length !== 1) {
    throw new InteractionPayloadError('expected one form field payload=<JSON>');
  }
  let document: unknown;
  try {
    document = JSON.parse(payloads[0] as string);
  } catch {
    throw new InteractionPayloadError('payload is not JSON');
  }
  const parsed = blockActionsSchema.safeParse(document);
  if (!parsed.success) {
    throw new InteractionPayloadError(
      `payload is not a block_actions click: ${describeProblems(zodProblems(parsed.error, 'payload'))}`,
    );
  }
  const p = parsed.data;
  const action = p.actions[0] as (typeof p.actions)[number];
  const choice = (Object.keys(APPROVAL_ACTIONS) as ClickChoice[]).find(
    (c) => APPROVAL_ACTIONS[c] === action.action_id,
  );
  if (!choice) {
    throw new InteractionPayloadError(
      `payload.actions.0.action_id: '${action.action_id.slice(0, 64)}' is not an approval button`,
    );
  }
  if (!action.value || !isApprovalId(action.value)) {
    throw new InteractionPayloadError('payload.actions.0.value: expected an approval id');
  }
  // Slack sends both for a click on a message in a channel. Without them the click could not be
  // tied to the approval's channel or to the approvers' workspace, so it is refused.
  const teamId = p.team?.id ?? p.user.team_id;
  if (!teamId)
    throw new InteractionPayloadError("payload.team.id: required, the clicker's workspace");
  const channelId = p.container?.channel_id ?? p.channel?.id;
  if (!channelId) {
    throw new InteractionPayloadError(
      'payload.channel.id: required, the channel of the message that was clicked',
    );
  }
  return {
    choice,
    approvalId: action.value,
    user: { id: p.user.id, name: p.user.username ?? p.user.name ?? p.user.id },
    teamId,
    channelId,
    messageTs: p.container?.message_ts ?? null,
  };
}
