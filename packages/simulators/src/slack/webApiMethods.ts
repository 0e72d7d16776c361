import { blockLimitProblems, type SlackMessage } from '@tourniquet/slack';
import type { SimulatedMessage, SlackRecord } from './simulatedMessages';
import type { SimulatedWorkspace } from './slackWorkspace';

export type WebApiArgs = Record<string, unknown>;
export type WebApiResult = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export interface WebApiContext {
  workspace: SimulatedWorkspace;
  record: SlackRecord;
  now: () => number;
}

type Method = (args: WebApiArgs, ctx: WebApiContext) => WebApiResult;

const fail = (error: string): WebApiResult => ({ ok: false, error });

/** `blocks` arrives as a JSON string in form posts (the SDK's encoding) or as an array in JSON posts. */
function readBlocks(value: unknown): unknown[] | null | 'invalid' {
  if (value === undefined || value === null || value === '') return null;
  let blocks = value;
  if (typeof value === 'string') {
    try {
      blocks = JSON.parse(value);
    } catch {
      return 'invalid';
    }
  }
  return Array.isArray(blocks) ? blocks : 'invalid';
}

function messageContents(args: WebApiArgs): { text: string; blocks: unknown[] } | WebApiResult {
  const blocks = readBlocks(args.blocks);
  if (blocks === 'invalid') return fail('invalid_blocks_format');
  const text = typeof args.text === 'string' ? args.text : '';
  if (!text && !blocks?.length) return fail('no_text');
  if (text.length > 40_000) return fail('msg_too_long');
  // Slack refuses blocks beyond its limits with invalid_blocks; so does the simulator.
  if (
    blocks &&
    blockLimitProblems({ text: text.slice(0, 4000), blocks } as SlackMessage).length > 0
  ) {
    return fail('invalid_blocks');
  }
  return { text, blocks: blocks ?? [] };
}

function slackMessage(m: SimulatedMessage, ctx: WebApiContext) {
  return {
    type: 'message',
    user: ctx.workspace.botUserId,
    bot_id: ctx.workspace.botId,
    text: m.text,
    blocks: m.blocks,
    ts: m.ts,
  };
}

const METHODS: Readonly<Record<string, Method>> = {
  'auth.test': (_args, ctx) => ({
    ok: true,
    url: `https://${ctx.workspace.teamDomain}.slack.com/`,
    team: 'Tourniquet (simulated)',
    user: 'tourniquet',
    team_id: ctx.workspace.teamId,
    user_id: ctx.workspace.botUserId,
    bot_id: ctx.workspace.botId,
  }),
  'chat.postMessage': (args, ctx) => {
    const channel = String(args.channel ?? '');
    if (!ctx.workspace.channels.includes(channel)) return fail('channel_not_found');
    const contents = messageContents(args);
    if ('ok' in contents) return contents;
    const message: SimulatedMessage = {
      channel,
      ts: ctx.record.nextTs(ctx.now()),
      ...contents,
      history: [],
    };
    ctx.record.messages.push(message);
    return { ok: true, channel, ts: message.ts, message: slackMessage(message, ctx) };
  },
  'chat.update': (args, ctx) => {
    const message = ctx.record.find(String(args.channel ?? ''), String(args.ts ?? ''));
    if (!message) return fail('message_not_found');
    const contents = messageContents(args);
    if ('ok' in contents) return contents;
    message.history.push({ text: message.text, blocks: message.blocks });
    message.text = contents.text;
    message.blocks = contents.blocks;
    return {
      ok: true,
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      message: slackMessage(message, ctx),
    };
  },
  'chat.postEphemeral': (args, ctx) => {
    const channel = String(args.channel ?? '');
    const user = String(args.user ?? '');
    if (!ctx.workspace.channels.includes(channel)) return fail('channel_not_found');
    if (!ctx.workspace.users.some((u) => u.id === user)) return fail('user_not_in_channel');
    const text = typeof args.text === 'string' ? args.text : '';
    if (!text && !args.blocks) return fail('no_text');
    ctx.record.ephemerals.push({ channel, user, text });
    return { ok: true, message_ts: ctx.record.nextTs(ctx.now()) };
  },
  'usergroups.users.list': (args, ctx) => {
    const members = ctx.workspace.userGroups[String(args.usergroup ?? '')];
    return members ? { ok: true, users: [...members] } : fail('no_such_subteam');
  },
};

/**
 * One Web API call as Slack answers it: HTTP 200 with `{ok:false, error}` for every refusal,
 * `not_authed` without a token, `invalid_auth` with a wrong one.
 */
export function callWebApi(
  method: string,
  token: string | null,
  args: WebApiArgs,
  expectedToken: string,
  ctx: WebApiContext,
): WebApiResult {
  const run = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  const result: WebApiResult = !run
    ? fail('unknown_method')
    : !token
      ? fail('not_authed')
      : token !== expectedToken
        ? fail('invalid_auth')
        : run(args, ctx);
  ctx.record.calls.push(
    result.ok ? { method, ok: true } : { method, ok: false, error: result.error },
  );
  return result;
}
