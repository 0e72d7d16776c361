import { randomBytes } from 'node:crypto';
import { APPROVAL_ACTIONS, signSlackRequest } from '@tourniquet/slack';
import { type FunctionUrlHandler, functionUrlEventFor, normaliseResult } from './functionUrlEvent';
import type { SimulatedMessage } from './simulatedMessages';
import type { SimulatedUser, SimulatedWorkspace } from './slackWorkspace';

/** Exactly what Slack would send: headers and the form-encoded body, already signed. */
export interface SignedInteraction {
  headers: Record<string, string>;
  body: string;
}

/** A decision endpoint: its URL (HTTP), or the Function URL handler itself (in-process). */
export type DecisionEndpoint = string | FunctionUrlHandler;

export interface ClickAnswer {
  status: number;
  /** The endpoint's JSON answer when it sent one, else the raw text. */
  body: { ok?: boolean; result?: string; message?: string } | string;
}

export interface ClickOptions {
  message: SimulatedMessage;
  choice: 'approve' | 'deny';
  user: SimulatedUser;
  /** Epoch seconds the request claims; default now (a stale or future one for tests). */
  timestamp?: number;
  /** Signs with this secret instead of the app's (a forged request). */
  signingSecret?: string;
  /** The button value to send instead of the message's (a probed approval id). */
  value?: string;
}

/**
 * The block_actions payload Slack posts when `user` clicks a button of `message` — built from
 * the message's own blocks, so only what the bot put in the button travels back.
 */
export function interactionPayload(
  workspace: SimulatedWorkspace,
  options: Pick<ClickOptions, 'message' | 'choice' | 'user' | 'value'>,
): Record<string, unknown> {
  const actionId = options.choice === 'approve' ? APPROVAL_ACTIONS.approve : APPROVAL_ACTIONS.deny;
  const { block, button } = findButton(options.message, actionId);
  const now = Date.now() / 1000;
  return {
    type: 'block_actions',
    user: {
      id: options.user.id,
      username: options.user.name,
      name: options.user.name,
      team_id: workspace.teamId,
    },
    api_app_id: 'A0TOURNIQET',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: options.message.ts,
      channel_id: options.message.channel,
      is_ephemeral: false,
    },
    trigger_id: `${Math.floor(now)}.${randomBytes(6).toString('hex')}`,
    team: { id: workspace.teamId, domain: workspace.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.message.channel, name: 'incidents' },
    message: {
      type: 'message',
      user: workspace.botUserId,
      bot_id: workspace.botId,
      text: options.message.text,
      ts: options.message.ts,
      blocks: options.message.blocks,
    },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${workspace.teamId}/simulated/${randomBytes(8).toString('hex')}`,
    actions: [
      {
        action_id: actionId,
        block_id: block,
        text: button.text,
        value: options.value ?? button.value,
        style: button.style,
        type: 'button',
        action_ts: now.toFixed(6),
      },
    ],
  };
}

function findButton(message: SimulatedMessage, actionId: string) {
  for (const block of message.blocks as Array<{
    type?: string;
    block_id?: string;
    elements?: unknown[];
  }>) {
    if (block.type !== 'actions') continue;
    for (const element of (block.elements ?? []) as Array<Record<string, unknown>>) {
      if (element.action_id === actionId) {
        return {
          block: block.block_id ?? 'actions',
          button: element as { text: unknown; value: string; style?: string },
        };
      }
    }
  }
  throw new Error(`message ${message.ts} has no ${actionId} button (already decided?)`);
}

/** Form-encodes and signs a payload the way Slack does (`payload=<JSON>`, v0 HMAC). */
export function signInteraction(
  payload: unknown,
  signingSecret: string,
  timestamp = Math.floor(Date.now() / 1000),
): SignedInteraction {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(signingSecret, timestamp, body),
    },
  };
}

/** Sends a signed interaction to the endpoint: over HTTP to a URL, or as a Function URL event. */
export async function deliverInteraction(
  request: SignedInteraction,
  endpoint: DecisionEndpoint,
): Promise<ClickAnswer> {
  let status: number;
  let text: string;
  if (typeof endpoint === 'string') {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    status = response.status;
    text = await response.text();
  } else {
    const event = functionUrlEventFor({
      method: 'POST',
      path: '/',
      headers: request.headers,
      body: Buffer.from(request.body, 'utf8'),
    });
    ({ status, body: text } = normaliseResult(await endpoint(event)));
  }
  try {
    return { status, body: JSON.parse(text) };
  } catch {
    return { status, body: text };
  }
}
