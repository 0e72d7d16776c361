import type { ApprovalRecord } from '@tourniquet/core';
import { codeText, mrkdwnText, plainText } from '../text/slackText';
import { actionEffect } from './actionDescriptions';
import { type Block, type Button, mrkdwn, plain, type SlackMessage } from './blockKit';
import { BLOCK_LIMITS } from './blockLimits';
import { consoleLink } from './consoleLink';
import { type FindingView, findingView } from './findingView';
import { approverRef, slackDate } from './slackRefs';
import { containmentFacts } from './stepResults';

/** Button action ids; the interaction endpoint accepts nothing else. */
export const APPROVAL_ACTIONS = {
  approve: 'tourniquet_approve',
  deny: 'tourniquet_deny',
  release: 'tourniquet_release',
} as const;
export const DECISION_BLOCK_ID = 'tourniquet_decision';
export const RELEASE_BLOCK_ID = 'tourniquet_release';

export interface ApprovalMessageOptions {
  consoleDomain: string;
}

type Shown = Omit<ApprovalRecord, 'taskToken'>;

/**
 * The approval message for the approval's current state: while pending, the facts and the
 * Approve / Deny buttons (only the approval id travels in them); once decided or expired, the
 * same facts and who decided what, when, and — after a containment, whatever its decision, since
 * the steps that needed none already ran — a Release button. chat.update sends the same
 * builder's output, so the message always tells the truth the store holds.
 */
export function approvalMessage(record: Shown, options: ApprovalMessageOptions): SlackMessage {
  const finding = findingView(record.finding);
  const blocks: Block[] = [
    { type: 'header', text: plain(plainText(headline(record, finding), BLOCK_LIMITS.headerText)) },
    { type: 'section', fields: factFields(record, finding) },
    { type: 'section', text: mrkdwn(alreadyDone(record)) },
    { type: 'section', text: mrkdwn(proposedSteps(record)) },
    { type: 'context', elements: [mrkdwn(footer(record, finding, options))] },
  ];
  if (record.status === 'pending') {
    if (record.approvals.length > 0)
      blocks.push({ type: 'section', text: mrkdwn(progress(record)) });
    blocks.push({ type: 'actions', block_id: DECISION_BLOCK_ID, elements: buttons(record) });
  } else {
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn(outcome(record)) });
    if (record.playbook !== 'release')
      blocks.push({
        type: 'actions',
        block_id: RELEASE_BLOCK_ID,
        elements: [releaseButton(record)],
      });
  }
  return { text: fallbackText(record, finding), blocks };
}

function headline(record: Shown, finding: FindingView): string {
  const state =
    record.status === 'pending'
      ? 'Approval needed'
      : record.status === 'approved'
        ? 'Approved'
        : record.status === 'denied'
          ? 'Denied'
          : 'Expired';
  return `${state} · ${finding.severity} · ${finding.title}`;
}

function factFields(record: Shown, finding: FindingView) {
  const fact = (label: string, value: string | null) =>
    value === null ? null : mrkdwn(`*${label}*\n${codeText(value, 300)}`);
  const fields = [
    mrkdwn(
      `*Severity*\n${mrkdwnText(finding.severity, 20)}${finding.sample ? ' (sample finding)' : ''}`,
    ),
    fact('Finding type', finding.type),
    fact('Cluster', finding.cluster),
    fact('Namespace / pod', finding.pod),
    fact('Node', finding.node),
    fact('Role', finding.role),
    fact('Service account', finding.serviceAccount),
    fact('Resource', finding.role ? null : finding.resource),
    fact(
      'Account / region',
      finding.account ? `${finding.account} ${finding.region ?? ''}`.trim() : null,
    ),
    fact('Incident', record.incidentKey),
  ].filter((f) => f !== null);
  return fields.slice(0, BLOCK_LIMITS.sectionFields);
}

function alreadyDone(record: Shown): string {
  const facts = containmentFacts(record.results);
  const yesNo = (v: boolean | null) => (v === null ? 'not in this plan' : v ? '✅ yes' : '❌ no');
  const head = `*Already done* (${mrkdwnText(record.playbook, 40)}) — isolated: ${yesNo(facts.isolated)} · evidence captured: ${yesNo(facts.evidence)}`;
  const lines = record.results.map(
    (r) =>
      `• ${codeText(r.action, 40)} ${mrkdwnText(r.status, 20)}${r.detail ? ` — ${mrkdwnText(r.detail, 200)}` : ''}`,
  );
  return joinLines(
    [head, ...(lines.length ? lines : ['• nothing has run yet'])],
    BLOCK_LIMITS.sectionText,
  );
}

function proposedSteps(record: Shown): string {
  const targets = new Map(record.steps.map((s) => [s.action, s]));
  const lines = record.actions.map((action) => {
    const step = targets.get(action);
    const target = step?.target ? ` → ${codeText(step.target, 200)}` : '';
    // The concrete target is what the approval binds the step to.
    const concrete =
      step?.resolved !== undefined
        ? step.resolved === null
          ? ` = _nothing: ${mrkdwnText(step.resolvedDetail ?? 'would be skipped', 200)}_`
          : ` = ${codeText(step.resolved, 200)}`
        : '';
    const dryRun = step?.dryRun ? ' _(dry-run: reports only)_' : '';
    const impact = step?.impact ? `\n    :warning: ${mrkdwnText(step.impact, 300)}` : '';
    return `• ${codeText(action, 40)}${target}${concrete}: ${actionEffect(action)}${dryRun}${impact}`;
  });
  const who =
    record.requiredApprovals > 1
      ? `*Destructive steps waiting for ${record.requiredApprovals} different approvers*`
      : '*Destructive steps waiting for approval*';
  return joinLines([who, ...lines], BLOCK_LIMITS.sectionText);
}

function footer(record: Shown, finding: FindingView, options: ApprovalMessageOptions): string {
  const link = consoleLink(finding, options.consoleDomain);
  const parts = [
    record.status === 'pending'
      ? `Expires ${slackDate(record.expiresAt)} — then denied by default and on-call is paged`
      : `Requested ${slackDate(record.createdAt)}`,
    `approval ${codeText(record.approvalId, 40)}`,
    link ? `<${link}|open the finding in the AWS console>` : 'no console link for this finding',
  ];
  return parts.join(' · ');
}

function progress(record: Shown): string {
  const given = record.approvals.map((a) => `${approverRef(a.approver)} at ${slackDate(a.at)}`);
  return `☑️ ${record.approvals.length} of ${record.requiredApprovals} approvals: ${given.join(', ')} — a different approver must confirm`;
}

function outcome(record: Shown): string {
  const at = record.decidedAt ? ` at ${slackDate(record.decidedAt)}` : '';
  switch (record.status) {
    case 'approved':
      return `✅ *Approved* by ${record.approvals.map((a) => approverRef(a.approver)).join(' and ')}${at}. The playbook runs the steps.`;
    case 'denied':
      return `⛔ *Denied* by ${record.decidedBy ? approverRef(record.decidedBy) : 'an approver'}${at}. The steps are skipped; containment already applied stays.`;
    default:
      return `⌛ *Expired*: ${mrkdwnText(record.expiredReason ?? 'no decision in time', 300)}. Denied by default; on-call is paged.`;
  }
}

function buttons(record: Shown): Button[] {
  const steps = plainText(record.actions.join(', '), 200);
  return [
    {
      type: 'button',
      text: plain('Approve'),
      style: 'primary',
      action_id: APPROVAL_ACTIONS.approve,
      value: record.approvalId,
      confirm: {
        title: plain('Approve destructive steps?'),
        text: plain(`Runs ${steps} on this incident now.`),
        confirm: plain('Approve'),
        deny: plain('Cancel'),
        style: 'primary',
      },
    },
    {
      type: 'button',
      text: plain('Deny'),
      style: 'danger',
      action_id: APPROVAL_ACTIONS.deny,
      value: record.approvalId,
      confirm: {
        title: plain('Deny these steps?'),
        text: plain(`Skips ${steps}. Containment already applied stays.`),
        confirm: plain('Deny'),
        deny: plain('Cancel'),
        style: 'danger',
      },
    },
  ];
}

/**
 * Only the approval id travels in the button: the endpoint reads the incident from the approval
 * record and the steps from the incident's step journal, and the release it starts waits for
 * its own approval like any destructive step.
 */
function releaseButton(record: Shown): Button {
  return {
    type: 'button',
    text: plain('Release'),
    action_id: APPROVAL_ACTIONS.release,
    value: record.approvalId,
    confirm: {
      title: plain('Request a release?'),
      text: plain(
        'Starts the release playbook for this incident. It undoes the containment recorded in the incident only after its own approval, like any destructive step.',
      ),
      confirm: plain('Request release'),
      deny: plain('Cancel'),
    },
  };
}

/** Notification text (mrkdwn, so escaped like everything else). */
function fallbackText(record: Shown, finding: FindingView): string {
  const where =
    finding.pod ?? finding.node ?? finding.role ?? finding.resource ?? finding.cluster ?? '';
  const text = `${headline(record, finding)}${where ? ` on ${where}` : ''}: ${record.actions.join(', ')}`;
  return mrkdwnText(text, 300);
}

/** Lines up to `max` characters; what does not fit is counted, never cut mid-line. */
function joinLines(lines: string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const remaining = lines.length - i - 1;
    const reserve = remaining > 0 ? `\n…and ${remaining} more`.length : 0;
    if (length + line.length + 1 + reserve > max) {
      kept.push(`…and ${lines.length - i} more`);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join('\n');
}
