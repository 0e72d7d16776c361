import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLoopback, readRequestBody } from '@tourniquet/core/testkit';
import {
  type ClickAnswer,
  type ClickOptions,
  type DecisionEndpoint,
  deliverInteraction,
  interactionPayload,
  type SignedInteraction,
  signInteraction,
} from './interactionClick';
import { SlackRecord } from './simulatedMessages';
import { DEFAULT_WORKSPACE, type SimulatedWorkspace } from './slackWorkspace';
import { callWebApi, type WebApiArgs } from './webApiMethods';

export interface SlackSimulatorOptions {
  workspace?: Partial<SimulatedWorkspace>;
  /** The only bot token accepted; random when omitted. */
  botToken?: string;
  /** The app's signing secret, used to sign clicks; random when omitted. */
  signingSecret?: string;
}

export interface SlackSimulator {
  /** Set as the Web API client's `slackApiUrl`: `http://127.0.0.1:<port>/api/`. */
  apiUrl: string;
  botToken: string;
  signingSecret: string;
  workspace: SimulatedWorkspace;
  record: SlackRecord;
  /** While true every Web API call gets HTTP 503, as during a Slack outage. */
  outage: boolean;
  /** Builds and signs the payload of `user` clicking a button of a message, then delivers it. */
  click(
    options: ClickOptions & { to: DecisionEndpoint },
  ): Promise<ClickAnswer & { request: SignedInteraction }>;
  /** Sends an already signed request again, byte for byte (a replay). */
  resend(request: SignedInteraction, to: DecisionEndpoint): Promise<ClickAnswer>;
  stop(): Promise<void>;
}

/**
 * Slack at the HTTP level on 127.0.0.1: the Web API methods Tourniquet calls (chat.postMessage,
 * chat.update, chat.postEphemeral, usergroups.users.list, auth.test) with bearer-token auth and
 * Slack's `{ok:false, error}` answers, and signed interaction "clicks" sent to a decision endpoint.
 * The real `@slack/web-api` client talks to it unchanged.
 */
export async function startSlackSimulator(
  options: SlackSimulatorOptions = {},
): Promise<SlackSimulator> {
  const workspace: SimulatedWorkspace = { ...DEFAULT_WORKSPACE, ...options.workspace };
  const botToken = options.botToken ?? `xoxb-simulated-${randomBytes(12).toString('hex')}`;
  const signingSecret = options.signingSecret ?? randomBytes(16).toString('hex');
  const record = new SlackRecord();
  const ctx = { workspace, record, now: () => Date.now() };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    readRequestBody(request)
      .then((body) => {
        if (simulator.outage)
          return send(response, 503, { ok: false, error: 'service_unavailable' });
        const match = /^\/api\/([A-Za-z.]+)$/.exec((request.url ?? '').split('?')[0] ?? '');
        if (request.method !== 'POST' || !match)
          return send(response, 404, { ok: false, error: 'unknown_method' });
        const args = parseArgs(request.headers['content-type'] ?? '', body);
        const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        const token = bearer ?? (typeof args.token === 'string' ? args.token : null);
        send(response, 200, callWebApi(match[1] as string, token, args, botToken, ctx));
      })
      .catch(() => response.destroy());
  });
  const port = await listenLoopback(server);

  const simulator: SlackSimulator = {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    botToken,
    signingSecret,
    workspace,
    record,
    outage: false,
    async click(click) {
      const payload = interactionPayload(workspace, click);
      const request = signInteraction(
        payload,
        click.signingSecret ?? signingSecret,
        click.timestamp,
      );
      return { ...(await deliverInteraction(request, click.to)), request };
    },
    resend: (request, to) => deliverInteraction(request, to),
    stop: () => closeServer(server),
  };
  return simulator;
}

function parseArgs(contentType: string, body: Buffer): WebApiArgs {
  const text = body.toString('utf8');
  if (contentType.startsWith('application/json')) {
    try {
      const parsed = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null ? parsed : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
