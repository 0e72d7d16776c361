import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { closeServer, freePort, listenLoopback, readRequestBody } from '@tourniquet/core/testkit';
import {
  approvalMessage,
  createSlackMessenger,
  SlackCallError,
  type SlackMessenger,
  type SlackMessengerOptions,
} from '@tourniquet/slack';
import { recordFor, sampleApprovalRequest } from '@tourniquet/slack/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * Tourniquet's Slack client over `fetch` against Slack's own Node client, `@slack/web-api`'s
 * WebClient, configured as the approval functions configured it before: both send the same four
 * calls to one loopback server, which records each request and answers from a script (a result,
 * Slack's `ok: false`, 429, 503, a redirect, silence). Same requests, same results, same error
 * codes, same number of attempts.
 */

/** What the WebClient-based messenger did: the reference. */
function webClientMessenger(options: SlackMessengerOptions): SlackMessenger {
  const client = new WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    timeout: options.timeoutMs ?? 2000,
    retryConfig: { retries: options.retries ?? 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
  const codeOf = (error: unknown): string => {
    const e = error as { code?: string; data?: { error?: string }; message?: string };
    if (e.code === ErrorCode.PlatformError) return e.data?.error ?? 'platform_error';
    if (e.code === ErrorCode.RateLimitedError) return 'rate_limited';
    if (e.code === ErrorCode.HTTPError) return 'http_error';
    if (e.code === ErrorCode.RequestError) return 'unreachable';
    return e.message ?? 'unknown';
  };
  const call = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new SlackCallError(method, codeOf(error), { cause: error });
    }
  };
  return {
    postMessage: (channel, message) =>
      call('chat.postMessage', async () => {
        const r = await client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
        });
        return { channel: r.channel as string, ts: r.ts as string };
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
        const r = await client.usergroups.users.list({ usergroup: groupId });
        return r.users ?? [];
      }),
  };
}

interface Seen {
  method: string | undefined;
  path: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  accept: string | undefined;
  args: Record<string, string>;
}
type Answer = (response: ServerResponse) => void;

const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Answer =>
  (response) => {
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(body));
  };
const RESULTS: Record<string, unknown> = {
  'chat.postMessage': { ok: true, channel: 'C0INCIDENTS', ts: '1733000000.000100' },
  'chat.update': { ok: true, channel: 'C0INCIDENTS', ts: '1733000000.000100' },
  'chat.postEphemeral': { ok: true, message_ts: '1733000000.000200' },
  'usergroups.users.list': { ok: true, users: ['U0ONCALL001', 'U0ONCALL002'] },
};

describe('Slack client: the same requests and outcomes as @slack/web-api', () => {
  let url = '';
  let server: ReturnType<typeof createServer>;
  let seen: Seen[] = [];
  /** Answers for the next requests, in order; then each method's result. */
  let script: Answer[] = [];
  const message = approvalMessage(recordFor(sampleApprovalRequest()), {
    consoleDomain: 'console.aws.amazon.com',
  });

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      void readRequestBody(request).then((body) => {
        const path = request.url ?? '';
        seen.push({
          method: request.method,
          path,
          authorization: request.headers.authorization,
          contentType: request.headers['content-type'],
          accept: request.headers.accept,
          args: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
        });
        const answer = script.shift() ?? json(RESULTS[path.replace('/api/', '')]);
        answer(response);
      });
    });
    url = `http://127.0.0.1:${await listenLoopback(server)}/api/`;
  });
  afterAll(async () => {
    await closeServer(server);
  });
  beforeEach(() => {
    seen = [];
    script = [];
  });

  const both = (options: Partial<SlackMessengerOptions> = {}) => {
    const settings = { botToken: 'xoxb-parity-token', apiUrl: url, ...options };
    return { ours: createSlackMessenger(settings), reference: webClientMessenger(settings) };
  };
  const calls: Array<[string, (s: SlackMessenger) => Promise<unknown>]> = [
    ['chat.postMessage', (s) => s.postMessage('C0INCIDENTS', message)],
    ['chat.update', (s) => s.updateMessage('C0INCIDENTS', '1733000000.000100', message)],
    ['chat.postEphemeral', (s) => s.postEphemeral('C0INCIDENTS', 'U0ONCALL001', 'not yours')],
    ['usergroups.users.list', (s) => s.userGroupMembers('S0ONCALLGRP')],
  ];
  /** One call's outcome and the requests it made, with the answers `answers` scripted. */
  async function run(
    messenger: SlackMessenger,
    call: (s: SlackMessenger) => Promise<unknown>,
    answers: Answer[],
  ) {
    seen = [];
    script = [...answers];
    const outcome = await call(messenger).then(
      (value) => ({ value }),
      (error: unknown) => ({
        error: error instanceof SlackCallError ? `${error.method}: ${error.code}` : String(error),
      }),
    );
    return { outcome, requests: seen };
  }

  it.each(calls)('%s: the same request and the same result', async (method, call) => {
    const { ours, reference } = both();
    const mine = await run(ours, call, []);
    const theirs = await run(reference, call, []);
    expect(mine).toEqual(theirs);
    expect(mine.requests).toHaveLength(1);
    expect(mine.requests[0]).toMatchObject({
      method: 'POST',
      path: `/api/${method}`,
      authorization: 'Bearer xoxb-parity-token',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect('error' in mine.outcome).toBe(false);
  });

  it('sends Block Kit blocks as the JSON text Slack parses back into the same blocks', async () => {
    const { ours } = both();
    const { requests } = await run(ours, (s) => s.postMessage('C0INCIDENTS', message), []);
    expect(JSON.parse(requests[0]?.args.blocks ?? '')).toEqual(message.blocks);
    expect(requests[0]?.args).toMatchObject({ unfurl_links: 'false', text: message.text });
  });

  const failures: Array<[string, Answer[], string]> = [
    ["Slack's ok:false", [json({ ok: false, error: 'channel_not_found' })], 'channel_not_found'],
    ['429 with Retry-After', [json({ ok: false }, 429, { 'Retry-After': '30' })], 'rate_limited'],
    ['503', [json({ ok: false, error: 'service_unavailable' }, 503)], 'http_error'],
    [
      'a redirect',
      [
        (r) => {
          // Followed, it would reach this server again as a second request.
          r.writeHead(302, { Location: '/api/chat.postEphemeral' });
          r.end();
        },
      ],
      'unreachable',
    ],
    ['no answer within the timeout', [() => {}], 'unreachable'],
  ];
  it.each(failures)('%s: the same error code, no retry asked for', async (_, answers, code) => {
    for (const [method, call] of calls) {
      const { ours, reference } = both({ timeoutMs: 300 });
      const mine = await run(ours, call, answers);
      const theirs = await run(reference, call, answers);
      expect(mine.outcome).toEqual({ error: `${method}: ${code}` });
      expect(mine).toEqual(theirs);
    }
  });

  it('an unreachable Slack is `unreachable` for both', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/api/`;
    const { ours, reference } = both({ apiUrl: nowhere });
    const [, call] = calls[0] as (typeof calls)[number];
    expect((await run(ours, call, [])).outcome).toEqual({
      error: 'chat.postMessage: unreachable',
    });
    expect((await run(reference, call, [])).outcome).toEqual({
      error: 'chat.postMessage: unreachable',
    });
  });

  it('tries again after an HTTP error or silence, never after ok:false or 429, like the WebClient', async () => {
    const [, call] = calls[0] as (typeof calls)[number];
    const cases: Array<[Answer[], number]> = [
      [[json({}, 503)], 2], // then the result
      [[() => {}], 2], // silence, then the result
      [[json({}, 500), json({}, 502)], 2], // out of attempts
      [[json({ ok: false, error: 'invalid_auth' })], 1],
      [[json({ ok: false }, 429, { 'Retry-After': '1' })], 1],
    ];
    for (const [answers, attempts] of cases) {
      const { ours, reference } = both({ retries: 1, timeoutMs: 300 });
      const mine = await run(ours, call, answers);
      const theirs = await run(reference, call, answers);
      expect(mine).toEqual(theirs);
      expect(mine.requests).toHaveLength(attempts);
    }
  });

  it('waits 1 s, then 2 s between attempts, as the WebClient does', async () => {
    const waits: number[] = [];
    const ours = createSlackMessenger({
      botToken: 'xoxb-parity-token',
      apiUrl: url,
      retries: 2,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const { requests, outcome } = await run(ours, (s) => s.userGroupMembers('S0ONCALLGRP'), [
      json({}, 503),
      json({}, 503),
    ]);
    expect(waits).toEqual([1000, 2000]);
    expect(requests).toHaveLength(3);
    expect(outcome).toEqual({ value: ['U0ONCALL001', 'U0ONCALL002'] });
  });

  it('names what the WebClient would report as raw text: a non-JSON answer, a 429 without a wait, a post without ts', async () => {
    const { ours } = both();
    const [, post] = calls[0] as (typeof calls)[number];
    const html = (r: ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'text/html' });
      r.end('<html>proxy login</html>');
    };
    expect((await run(ours, post, [html])).outcome).toEqual({
      error: 'chat.postMessage: invalid_response',
    });
    expect((await run(ours, post, [json({ ok: false }, 429)])).outcome).toEqual({
      error: 'chat.postMessage: rate_limited',
    });
    expect((await run(ours, post, [json({ ok: true })])).outcome).toEqual({
      error: 'chat.postMessage: invalid_response',
    });
  });
});
