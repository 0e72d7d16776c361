import { LogLevel, WebClient } from '@slack/web-api';
import { freePort } from '@tourniquet/core/testkit';
import type { FunctionUrlEvent } from '@tourniquet/simulators';
import { type SlackSimulator, startSlackSimulator } from '@tourniquet/simulators';
import {
  approvalMessage,
  createSlackMessenger,
  fromFunctionUrlEvent,
  parseInteraction,
  rawBody,
  SlackCallError,
  verifySlackRequest,
} from '@tourniquet/slack';
import { recordFor, sampleApprovalRequest } from '@tourniquet/slack/testkit';
import { startDecisionEndpoint } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

async function slackError(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(SlackCallError);
    return (error as SlackCallError).code;
  }
  throw new Error('expected a Slack error');
}

/** The simulator speaks Slack's Web API to the real @slack/web-api client, and clicks like Slack. */
describe('Simulator: Slack', () => {
  let simulator: SlackSimulator;
  const message = approvalMessage(recordFor(sampleApprovalRequest()), {
    consoleDomain: 'console.aws.amazon.com',
  });

  beforeAll(async () => {
    simulator = await startSlackSimulator();
  });
  afterAll(async () => {
    await simulator?.stop();
  });

  it('answers auth.test and records a posted message exactly as the client sent it', async () => {
    const client = new WebClient(simulator.botToken, {
      slackApiUrl: simulator.apiUrl,
      logLevel: LogLevel.ERROR,
    });
    expect(await client.auth.test()).toMatchObject({ ok: true, team_id: 'T0TOURNIQ01' });
    const slack = createSlackMessenger({ botToken: simulator.botToken, apiUrl: simulator.apiUrl });
    const posted = await slack.postMessage('C0INCIDENTS', message);
    const stored = simulator.record.find(posted.channel, posted.ts);
    expect(stored).toMatchObject({
      channel: 'C0INCIDENTS',
      text: message.text,
      blocks: message.blocks,
    });
    await slack.updateMessage(posted.channel, posted.ts, {
      text: 'updated',
      blocks: message.blocks.slice(0, 2),
    });
    expect(stored?.text).toBe('updated');
    expect(stored?.history).toHaveLength(1);
    expect(await slack.userGroupMembers('S0ONCALLGRP')).toEqual(['U0ONCALL001', 'U0ONCALL002']);
  });

  it("refuses like Slack: bad or missing token, unknown channel, message or group, blocks over Slack's limits", async () => {
    const wrong = createSlackMessenger({ botToken: 'xoxb-wrong', apiUrl: simulator.apiUrl });
    expect(await slackError(() => wrong.postMessage('C0INCIDENTS', message))).toBe('invalid_auth');
    const anonymous = new WebClient(undefined, {
      slackApiUrl: simulator.apiUrl,
      logLevel: LogLevel.ERROR,
    });
    await expect(anonymous.auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    const slack = createSlackMessenger({ botToken: simulator.botToken, apiUrl: simulator.apiUrl });
    expect(await slackError(() => slack.postMessage('C0NOWHERE1', message))).toBe(
      'channel_not_found',
    );
    expect(await slackError(() => slack.updateMessage('C0INCIDENTS', '1.000000', message))).toBe(
      'message_not_found',
    );
    expect(await slackError(() => slack.userGroupMembers('S0NOSUCHGR'))).toBe('no_such_subteam');
    const tooMany = {
      text: 'x',
      blocks: Array.from({ length: 51 }, () => ({ type: 'divider' as const })),
    };
    expect(await slackError(() => slack.postMessage('C0INCIDENTS', tooMany))).toBe(
      'invalid_blocks',
    );
  });

  it('reports an outage and an unreachable Slack as errors the caller can tell apart', async () => {
    const slack = createSlackMessenger({ botToken: simulator.botToken, apiUrl: simulator.apiUrl });
    simulator.outage = true;
    try {
      expect(await slackError(() => slack.postMessage('C0INCIDENTS', message))).toBe('http_error');
    } finally {
      simulator.outage = false;
    }
    const nowhere = createSlackMessenger({
      botToken: 'xoxb-x',
      apiUrl: `http://127.0.0.1:${await freePort()}/api/`,
    });
    expect(await slackError(() => nowhere.postMessage('C0INCIDENTS', message))).toBe('unreachable');
  });

  it('clicks like Slack: a signed, form-encoded block_actions post, base64 in the Function URL event', async () => {
    const slack = createSlackMessenger({ botToken: simulator.botToken, apiUrl: simulator.apiUrl });
    const posted = await slack.postMessage('C0INCIDENTS', message);
    const seen: FunctionUrlEvent[] = [];
    const endpoint = await startDecisionEndpoint(async (event) => {
      seen.push(event);
      return { statusCode: 200, body: '{"ok":true}' };
    });
    try {
      const shown = simulator.record.find(posted.channel, posted.ts);
      if (!shown) throw new Error('message not recorded');
      const user = { id: 'U0ONCALL001', name: 'alice.oncall' };
      const answer = await simulator.click({
        message: shown,
        choice: 'deny',
        user,
        to: endpoint.url,
      });
      expect(answer.status).toBe(200);
      const [event] = seen;
      expect(event).toMatchObject({
        version: '2.0',
        isBase64Encoded: true,
        requestContext: { http: { method: 'POST' } },
      });
      const request = fromFunctionUrlEvent(event as FunctionUrlEvent);
      const body = rawBody(request);
      verifySlackRequest(
        simulator.signingSecret,
        {
          signature: request.headers['x-slack-signature'],
          timestamp: request.headers['x-slack-request-timestamp'],
          rawBody: body,
        },
        new Date(),
      );
      expect(parseInteraction(body)).toMatchObject({
        choice: 'deny',
        approvalId: 'apr_AAAAAAAAAAAAAAAAAAAAAA',
        user: { id: 'U0ONCALL001' },
        channelId: 'C0INCIDENTS',
        messageTs: posted.ts,
      });
    } finally {
      await endpoint.stop();
    }
  });
});
