import { ConfigError } from '@tourniquet/core';
import { describe, expect, it } from 'vitest';
import { approvalSettingsFromConfig, parseApprovalSettings } from '../src/index';

function problems(section: unknown): string[] {
  try {
    parseApprovalSettings(section);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
}

describe('Config: approvals', () => {
  it('defaults to CLI-only approvals without Slack', () => {
    expect(approvalSettingsFromConfig({ dryRun: false })).toEqual({
      twoPersonActions: [],
      retentionDays: 90,
      consoleDomain: 'console.aws.amazon.com',
      cli: { approverArns: [] },
    });
  });

  it('accepts a Slack channel with approver users and/or a user group', () => {
    const settings = parseApprovalSettings({
      twoPersonActions: ['isolate-node'],
      slack: { channel: 'C0INCIDENTS', approverUserGroup: 'S0ONCALLGRP', teamId: 'T0TOURNIQ01' },
      cli: { approverArns: ['arn:aws:iam::111122223333:role/OnCall'] },
    });
    expect(settings.slack).toEqual({
      channel: 'C0INCIDENTS',
      approverUserGroup: 'S0ONCALLGRP',
      teamId: 'T0TOURNIQ01',
      approverUserIds: [],
    });
  });

  it('names the offending key', () => {
    expect(
      problems({ slack: { channel: '#incidents', approverUserIds: ['U0ONCALL001'] } }),
    ).toEqual([
      'approvals.slack.channel: expected a Slack channel id such as C0123456789 (not #name)',
    ]);
    expect(problems({ slack: { channel: 'C0INCIDENTS' } })).toEqual([
      'approvals.slack.approverUserIds: name at least one approver: approverUserIds and/or approverUserGroup',
    ]);
    expect(problems({ slack: { channel: 'C0INCIDENTS', approverUserIds: ['@alice'] } })[0]).toMatch(
      /^approvals\.slack\.approverUserIds\.0: expected a Slack user id/,
    );
    expect(problems({ twoPersonActions: ['reboot-node'] })[0]).toMatch(
      /^approvals\.twoPersonActions\.0: /,
    );
    expect(problems({ cli: { approverArns: ['OnCall'] } })[0]).toMatch(
      /^approvals\.cli\.approverArns\.0: expected/,
    );
    expect(problems({ slak: {} })[0]).toMatch(/^approvals: .*slak/);
  });
});
