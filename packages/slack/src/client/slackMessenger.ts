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
  /** Per attempt. The interaction endpoint must answer Slack within 3 s, so keep it short. */
  timeoutMs?: number;
  /** Further attempts after an HTTP error or an unreachable Slack, 1 s then 2 s, 4 s… apart. */
  retries?: number;
  /** Between attempts, by default a timer; tests may pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
}

const SLACK_API = 'https://slack.com/api/';
const FIRST_RETRY_MS = 1000;

/** Why an attempt failed, and whether another attempt may help. */
class AttemptFailed extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(code, options);
  }
}

/**
 * A Web API call's arguments as Slack's own Node client sends them: form-encoded, strings,
 * numbers and booleans as text, anything else (blocks) as JSON, absent values left out.
 */
function formBody(args: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    const type = typeof value;
    form.append(
      key,
      type === 'string' || type === 'number' || type === 'boolean'
        ? String(value)
        : JSON.stringify(value),
    );
  }
  return form.toString();
}

/**
 * Slack's Web API over `fetch`, for the four methods Tourniquet calls. It sends what
 * `@slack/web-api`'s WebClient sends (POST to `<apiUrl><method>`, bearer token, form-encoded
 * arguments, no redirects) and reads answers the way it does: 200 with `ok: true` is a result;
 * `ok: false` is Slack's error code and final; 429 is `rate_limited` and final, as a wait Slack
 * asks for does not fit an approval's time budget; any other status is `http_error` and an
 * unanswered request (refused, reset, timed out) `unreachable`, both tried again up to
 * `retries` times. `test/slackMessengerParity.test.ts` holds it to the same requests and
 * outcomes as the WebClient. Why it replaced the WebClient: docs/decisions.md, "Slack over fetch".
 */
export function createSlackMessenger(options: SlackMessengerOptions): SlackMessenger {
  const base = options.apiUrl ?? SLACK_API;
  const timeoutMs = options.timeoutMs ?? 2000;
  const retries = options.retries ?? 0;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const attempt = async (method: string, body: string): Promise<Record<string, unknown>> => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${method}`, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${options.botToken}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new AttemptFailed('unreachable', true, { cause: error });
    }
    if (response.status === 429) throw new AttemptFailed('rate_limited', false);
    if (response.status !== 200) {
      throw new AttemptFailed('http_error', true, {
        cause: new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`),
      });
    }
    let result: unknown;
    try {
      result = JSON.parse(text);
    } catch (error) {
      throw new AttemptFailed('invalid_response', false, { cause: error });
    }
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new AttemptFailed('invalid_response', false);
    }
    const answer = result as Record<string, unknown>;
    if (answer.ok !== true) {
      throw new AttemptFailed(
        typeof answer.error === 'string' ? answer.error : 'platform_error',
        false,
      );
    }
    return answer;
  };

  const call = async (
    method: string,
    args: Record<string, unknown>,
  ): Promise<Record<string, unknown>> => {
    const body = formBody(args);
    for (let n = 0; ; n++) {
      try {
        return await attempt(method, body);
      } catch (error) {
        const failed = error as AttemptFailed;
        if (!failed.retryable || n >= retries) {
          throw new SlackCallError(method, failed.code, { cause: failed.cause ?? failed });
        }
      }
      await sleep(FIRST_RETRY_MS * 2 ** n);
    }
  };

  return {
    async postMessage(channel, message) {
      const result = await call('chat.postMessage', {
        channel,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      const { ts, channel: postedTo } = result;
      if (typeof ts !== 'string' || typeof postedTo !== 'string' || !ts || !postedTo) {
        throw new SlackCallError('chat.postMessage', 'invalid_response', {
          cause: new Error('chat.postMessage returned no ts'),
        });
      }
      return { channel: postedTo, ts };
    },
    async updateMessage(channel, ts, message) {
      await call('chat.update', { channel, ts, text: message.text, blocks: message.blocks });
    },
    async postEphemeral(channel, user, text) {
      await call('chat.postEphemeral', { channel, user, text });
    },
    async userGroupMembers(groupId) {
      const { users } = await call('usergroups.users.list', { usergroup: groupId });
      return Array.isArray(users) ? users.filter((u): u is string => typeof u === 'string') : [];
    },
  };
}
