import { ConfigError } from '@tourniquet/core';
import { approvalSettingsFromConfig, parseApprovalSettings } from '@tourniquet/slack';
import { describe, expect, it } from 'vitest';

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
      people: {},
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
      problems({
        slack: { channel: '#incidents', teamId: 'T0TOURNIQ01', approverUserIds: ['U0ONCALL001'] },
      }),
    ).toEqual([
      'approvals.slack.channel: expected a Slack channel id such as C0123456789 (not #name)',
    ]);
    expect(problems({ slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01' } })).toEqual([
      'approvals.slack.approverUserIds: name at least one approver: approverUserIds and/or approverUserGroup',
    ]);
    expect(
      problems({
        slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserIds: ['@alice'] },
      })[0],
    ).toMatch(/^approvals\.slack\.approverUserIds\.0: expected a Slack user id/);
    expect(problems({ twoPersonActions: ['reboot-node'] })[0]).toMatch(
      /^approvals\.twoPersonActions\.0: /,
    );
    expect(problems({ cli: { approverArns: ['OnCall'] } })[0]).toMatch(
      /^approvals\.cli\.approverArns\.0: expected/,
    );
    expect(problems({ slak: {} })[0]).toMatch(/^approvals: .*slak/);
    expect(
      problems({ slack: { channel: 'C0INCIDENTS', approverUserIds: ['U0ONCALL001'] } }),
    ).toEqual(['approvals.slack.teamId: required: the Slack team id (T…) whose users may decide']);
  });

  it('allows * only as a whole last path segment of an approver ARN', () => {
    expect(
      problems({ cli: { approverArns: ['arn:aws:sts::111122223333:assumed-role/OnCall/*'] } }),
    ).toEqual([]);
    expect(
      problems({ cli: { approverArns: ['arn:aws:sts::111122223333:assumed-role/OnCall*'] } })[0],
    ).toMatch(/^approvals\.cli\.approverArns\.0: '\*' is only allowed as the last path segment/);
    expect(
      problems({ people: { alice: { aws: ['arn:aws:iam::111122223333:user/al*'] } } })[0],
    ).toMatch(/^approvals\.people\.alice\.aws\.0: '\*' is only allowed/);
  });

  it('maps people to their identities, each identity to one person', () => {
    const settings = parseApprovalSettings({
      people: {
        alice: {
          slack: ['U0ONCALL001'],
          aws: ['arn:aws:sts::111122223333:assumed-role/SecOpsOnCall/alice'],
        },
      },
    });
    expect(settings.people.alice).toEqual({
      slack: ['U0ONCALL001'],
      aws: ['arn:aws:sts::111122223333:assumed-role/SecOpsOnCall/alice'],
    });
    expect(
      problems({ people: { alice: { slack: ['U0ONCALL001'] }, bob: { slack: ['U0ONCALL001'] } } }),
    ).toEqual([
      "approvals.people.bob.slack.0: U0ONCALL001 is already alice's; one identity belongs to one person",
    ]);
    expect(problems({ people: { alice: {} } })[0]).toMatch(
      /^approvals\.people\.alice: name at least one identity/,
    );
    expect(problems({ people: { 'Alice Smith': { slack: ['U0ONCALL001'] } } })[0]).toMatch(
      /^approvals\.people\.Alice Smith: expected a lower-case person name/,
    );
  });
});
