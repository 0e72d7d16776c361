import type { ApproverIdentity } from '@tourniquet/core';
import { codeText } from '../text/slackText';

const SLACK_USER = /^slack:([UW][A-Z0-9]+)$/;

/** A decider as Slack shows them: a real mention for verified Slack users, code for the rest. */
export function approverRef(approver: ApproverIdentity): string {
  const user = SLACK_USER.exec(approver.id);
  if (user) return `<@${user[1]}>`;
  return codeText(approver.id.replace(/^aws:/, ''), 200);
}

/** Slack renders this in each reader's time zone; the fallback is the ISO time. */
export function slackDate(iso: string): string {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(epoch)) return codeText(iso, 40);
  return `<!date^${epoch}^{date_short_pretty} {time}|${new Date(epoch * 1000).toISOString()}>`;
}
