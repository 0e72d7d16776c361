import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { SlackCallError } from '../errors';
import type { SlackMessage } from '../message/blockKit';

/** The Slack Web API methods Tourniquet uses, behind one small interface. */
export interface SlackMessenger {
  postMessage(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** A note only `user` sees (why their click was refused). */
  postEphemeral(channel: string, user: string, text: string): Promise<void>;
  userGroupMembers(groupId: string): Promise<string[]>;
}

export interface SlackMessengerOptions {
  botToken: string;
  /** `https://slack.com/api/` unless pointed at the simulator. */
  apiUrl?: string;
  /** Per call. The interaction endpoint must answer Slack within 3 s, so keep it short. */
  timeoutMs?: number;
  retries?: number;
}

/** The real `@slack/web-api` client; the simulator speaks the same HTTP API. */
export function createSlackMessenger(options: SlackMessengerOptions): SlackMessenger {
  const client = new WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    timeout: options.timeoutMs ?? 2000,
    retryConfig: { retries: options.retries ?? 0 },
    // A 429 answered with "retry in 30 s" is useless inside a 3-second budget: fail fast instead.
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
  const call = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new SlackCallError(method, slackErrorCode(error), { cause: error });
    }
  };
  return {
    postMessage: (channel, message) =>
      call('chat.postMessage', async () => {
        const result = await client.chat.postMessage({
          channel,
          text: message.text,
          // Our Block type is a strict subset of the SDK's KnownBlock (from @slack/types, which
          // this package does not depend on directly).
          blocks: message.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!result.ts || !result.channel) throw new Error('chat.postMessage returned no ts');
        return { channel: result.channel, ts: result.ts };
      }),
    updateMessage: (channel, ts, message) =>
      call('chat.update', async () => {
        await client.chat.update({
          channel,
          ts,
          text: message.text,
          blocks: message.blocks as never,
        });
      }),
    postEphemeral: (channel, user, text) =>
      call('chat.postEphemeral', async () => {
        await client.chat.postEphemeral({ channel, user, text });
      }),
    userGroupMembers: (groupId) =>
      call('usergroups.users.list', async () => {
        const result = await client.usergroups.users.list({ usergroup: groupId });
        return result.users ?? [];
      }),
  };
}

function slackErrorCode(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string } };
  if (e.code === ErrorCode.PlatformError) return e.data?.error ?? 'platform_error';
  if (e.code === ErrorCode.RateLimitedError) return 'rate_limited';
  if (e.code === ErrorCode.HTTPError) return 'http_error';
  if (e.code === ErrorCode.RequestError) return 'unreachable';
  return (error as Error).message ?? 'unknown';
}
