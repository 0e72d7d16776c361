import { APPROVAL_ACTIONS, InteractionPayloadError, parseInteraction } from '@tourniquet/slack';
import { describe, expect, it } from 'vitest';

const click = (overrides: Record<string, unknown> = {}, action: Record<string, unknown> = {}) => ({
  type: 'block_actions',
  user: { id: 'U0ONCALL001', username: 'alice.oncall', team_id: 'T0TOURNIQ01' },
  team: { id: 'T0TOURNIQ01', domain: 'tourniquet-sim' },
  container: { type: 'message', message_ts: '1795436400.000001', channel_id: 'C0INCIDENTS' },
  channel: { id: 'C0INCIDENTS', name: 'incidents' },
  actions: [
    {
      action_id: APPROVAL_ACTIONS.approve,
      value: 'apr_AAAAAAAAAAAAAAAAAAAAAA',
      type: 'button',
      ...action,
    },
  ],
  ...overrides,
});
const form = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;

function error(body: string): string {
  try {
    parseInteraction(body);
  } catch (e) {
    expect(e).toBeInstanceOf(InteractionPayloadError);
    return (e as Error).message;
  }
  throw new Error('expected a parse error');
}

describe('Slack: interaction payload', () => {
  it('reads an approval click', () => {
    expect(parseInteraction(form(click()))).toEqual({
      choice: 'approve',
      approvalId: 'apr_AAAAAAAAAAAAAAAAAAAAAA',
      user: { id: 'U0ONCALL001', name: 'alice.oncall' },
      teamId: 'T0TOURNIQ01',
      channelId: 'C0INCIDENTS',
      messageTs: '1795436400.000001',
    });
    expect(parseInteraction(form(click({}, { action_id: APPROVAL_ACTIONS.deny }))).choice).toBe(
      'deny',
    );
  });

  it('refuses anything else with a message naming the field', () => {
    expect(error('payload=%7Bnot-json')).toBe('payload is not JSON');
    expect(error('nothing=here')).toBe('expected one form field payload=<JSON>');
    expect(error(`${form(click())}&${form(click())}`)).toBe(
      'expected one form field payload=<JSON>',
    );
    expect(error(form(click({ type: 'view_submission' })))).toMatch(/payload\.type/);
    expect(error(form(click({ user: { id: 'alice' } })))).toMatch(
      /payload\.user\.id: expected a Slack user id/,
    );
    expect(error(form(click({}, { action_id: 'other_button' })))).toMatch(
      /is not an approval button/,
    );
    expect(error(form(click({}, { value: 'arn:aws:states:task-token' })))).toMatch(
      /expected an approval id/,
    );
    expect(error(form(click({ actions: [] })))).toMatch(/expected exactly one action/);
  });
});
