import {
  APPROVAL_ACTIONS,
  approvalMessage,
  BLOCK_LIMITS,
  type Block,
  blockLimitProblems,
  DECISION_BLOCK_ID,
  RELEASE_BLOCK_ID,
  type SlackMessage,
} from '@tourniquet/slack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOSTILE_TEXTS, recordFor, sampleApprovalRequest } from '../src/testkit/index';

const options = { consoleDomain: 'console.aws.amazon.com' };

/** Every text Slack parses as mrkdwn (or shows in notifications), with our own markup removed. */
function untrustedMrkdwn(message: SlackMessage): string[] {
  const texts: string[] = [message.text];
  const visit = (block: Block) => {
    if (block.type === 'section') {
      if (block.text?.type === 'mrkdwn') texts.push(block.text.text);
      for (const f of block.fields ?? []) if (f.type === 'mrkdwn') texts.push(f.text);
    }
    if (block.type === 'context')
      for (const e of block.elements) if (e.type === 'mrkdwn') texts.push(e.text);
  };
  message.blocks.forEach(visit);
  const ours = [
    /<!date\^\d+\^\{date_short_pretty\} \{time\}\|[0-9TZ:.-]+>/g,
    /<https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/[^|<> ]*\|open the finding in the AWS console>/g,
    /<@U0[A-Z0-9]+>/g,
  ];
  return texts.map((t) => ours.reduce((text, re) => text.replace(re, ''), t));
}

function allText(message: SlackMessage): string {
  return JSON.stringify(message);
}

function withHostileFinding(text: string) {
  const request = sampleApprovalRequest();
  const finding = structuredClone(request.finding) as Record<string, any>;
  finding.title = text;
  finding.type = text;
  finding.cluster = text;
  finding.pod = { ...finding.pod, namespace: text, name: text };
  finding.node = { instanceId: text };
  finding.role = { arn: text, serviceAccount: { namespace: text, name: text } };
  finding.severity = text;
  return sampleApprovalRequest({
    // Incident keys are built from names Kubernetes and AWS bound in length; the request schema
    // refuses longer ones.
    incidentKey: text.slice(0, 1000),
    finding,
    results: {
      a: { action: text, status: text, detail: text },
      ...Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [
          `s${i}`,
          { action: 'label-pod', status: 'applied', detail: text },
        ]),
      ),
    },
    steps: [{ action: 'cordon-node', target: text, dryRun: true }],
  } as never);
}

describe('Slack: approval message', () => {
  const request = sampleApprovalRequest();
  const message = approvalMessage(recordFor(request), options);

  it('shows severity, finding, where, what already happened, the steps, expiry and a console link', () => {
    const text = allText(message);
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    expect(text).toContain('HIGH');
    expect(text).toContain('Execution:Runtime/ReverseShell');
    expect(text).toContain('`prod-eks-01`');
    expect(text).toContain('`payments/payments-api-7d9f8b6c5-x2kqp`');
    expect(text).toContain('isolated: ✅ yes');
    expect(text).toContain('evidence captured: ✅ yes');
    for (const action of request.actions) expect(text).toContain(`\`${action}\``);
    expect(text).toMatch(/Expires <!date\^\d+\^/);
    expect(text).toContain(
      'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=',
    );
  });

  it('names the concrete target each step resolved to, or why it resolves to nothing', () => {
    const resolved = approvalMessage(
      recordFor(
        sampleApprovalRequest({
          resolved: {
            revokeRoleSessions: {
              action: 'revoke-role-sessions',
              resolved: 'arn:aws:iam::111122223333:role/payments-api-irsa',
              detail: 'would act on arn:aws:iam::111122223333:role/payments-api-irsa',
            },
            cordonNode: {
              action: 'cordon-node',
              resolved: null,
              detail: 'instance i-1 no longer exists',
            },
          },
        }),
      ),
      options,
    );
    const text = allText(resolved);
    expect(text).toContain(
      '`revoke-role-sessions` → `serviceaccount-role/payments/payments-api` = `arn:aws:iam::111122223333:role/payments-api-irsa`',
    );
    expect(text).toContain('= _nothing: instance i-1 no longer exists_');
  });

  it('a node role revocation shows how many instances and pods share the role', () => {
    const impact =
      'node instance role shared by 2 instance(s) (i-1, i-2) and 14 pod(s) on them: revoking its sessions cuts AWS access for all of them until their credentials refresh';
    const message = approvalMessage(
      recordFor(
        sampleApprovalRequest({
          resolved: {
            revokeRoleSessions: {
              action: 'revoke-role-sessions',
              resolved: 'arn:aws:iam::111122223333:role/eks-ng-general-NodeInstanceRole',
              detail: `would act on arn:aws:iam::111122223333:role/eks-ng-general-NodeInstanceRole: ${impact}`,
              impact,
            },
          },
        }),
      ),
      options,
    );
    expect(allText(message)).toContain(`:warning: ${impact}`);
  });

  it('a denied web identity shows the calling service account, not the role it asked for as a role', () => {
    const request = sampleApprovalRequest();
    const finding = {
      ...(request.finding as Record<string, unknown>),
      role: null,
      pod: null,
      context: {
        origin: 'cloudtrail',
        serviceAccount: { namespace: 'batch', name: 'batch-runner' },
        requestedRoleArn: 'arn:aws:iam::111122223333:role/payments-api-irsa',
      },
    };
    const text = allText(approvalMessage(recordFor(sampleApprovalRequest({ finding })), options));
    expect(text).toContain('`batch/batch-runner`');
    expect(text).not.toMatch(/\*Role\*/);
  });

  it('carries only the approval id in the buttons, each with a confirm dialog', () => {
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions?.type).toBe('actions');
    const buttons = actions?.type === 'actions' ? actions.elements : [];
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      [APPROVAL_ACTIONS.approve, 'apr_AAAAAAAAAAAAAAAAAAAAAA'],
      [APPROVAL_ACTIONS.deny, 'apr_AAAAAAAAAAAAAAAAAAAAAA'],
    ]);
    for (const b of buttons) expect(b.confirm?.confirm.text).toBeTruthy();
    expect(allText(message)).not.toContain(request.taskToken);
  });

  it("is within Slack's block limits", () => {
    expect(blockLimitProblems(message)).toEqual([]);
  });

  it.each(HOSTILE_TEXTS.map((t) => [t.slice(0, 40), t]))(
    'stays within limits and escapes hostile finding text: %s',
    (_, hostile) => {
      const m = approvalMessage(recordFor(withHostileFinding(hostile)), options);
      expect(blockLimitProblems(m)).toEqual([]);
      for (const text of untrustedMrkdwn(m)) expect(text).not.toMatch(/[<>]/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
      expect(allText(m)).not.toMatch(/[\u0000-\u0008\u202a-\u202e\u2066-\u2069\u200b]/);
      expect(m.blocks.length).toBeLessThanOrEqual(BLOCK_LIMITS.blocksPerMessage);
    },
  );

  it('holds for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 6000 }), (hostile) => {
        const m = approvalMessage(recordFor(withHostileFinding(hostile)), options);
        expect(blockLimitProblems(m)).toEqual([]);
        for (const text of untrustedMrkdwn(m)) expect(text).not.toMatch(/[<>]/);
      }),
      { numRuns: 200 },
    );
  });

  it('after a decision shows who decided what, when, and only a Release button', () => {
    const decidedAt = '2026-11-23T12:09:00.000Z';
    const approver = { id: 'slack:U0ONCALL001', name: 'alice', channel: 'slack' as const };
    const approved = approvalMessage(
      recordFor(request, {
        status: 'approved',
        approvals: [{ approver, at: decidedAt }],
        decidedBy: approver,
        decidedAt,
      }),
      options,
    );
    expect(approved.blocks.some((b) => b.block_id === DECISION_BLOCK_ID)).toBe(false);
    expect(allText(approved)).toContain('✅ *Approved* by <@U0ONCALL001> at <!date^');
    const cli = {
      id: 'aws:arn:aws:sts::111122223333:assumed-role/OnCall/bob',
      name: 'bob',
      channel: 'cli' as const,
    };
    const denied = approvalMessage(
      recordFor(request, { status: 'denied', decidedBy: cli, decidedAt }),
      options,
    );
    expect(allText(denied)).toContain(
      '⛔ *Denied* by `arn:aws:sts::111122223333:assumed-role/OnCall/bob`',
    );
    const expired = approvalMessage(
      recordFor(request, { status: 'expired', expiredReason: 'no decision before 12:22' }),
      options,
    );
    expect(allText(expired)).toContain('⌛ *Expired*');
    for (const m of [approved, denied, expired]) {
      expect(blockLimitProblems(m)).toEqual([]);
      const release = m.blocks.find((b) => b.block_id === RELEASE_BLOCK_ID);
      expect(release?.type === 'actions' ? release.elements : []).toMatchObject([
        { action_id: APPROVAL_ACTIONS.release, value: 'apr_AAAAAAAAAAAAAAAAAAAAAA' },
      ]);
    }
    // A release's own approval offers no second release.
    const releaseApproved = approvalMessage(
      recordFor(request, { playbook: 'release', status: 'approved', decidedBy: cli, decidedAt }),
      options,
    );
    expect(releaseApproved.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('while pending offers Approve and Deny, never Release', () => {
    const m = approvalMessage(recordFor(request), options);
    expect(m.blocks.some((b) => b.block_id === RELEASE_BLOCK_ID)).toBe(false);
  });

  it('under the two-person rule says so, and shows the first approval while keeping the buttons', () => {
    const approver = { id: 'slack:U0ONCALL001', name: 'alice', channel: 'slack' as const };
    const m = approvalMessage(
      recordFor(request, {
        requiredApprovals: 2,
        approvals: [{ approver, at: '2026-11-23T12:08:00.000Z' }],
      }),
      options,
    );
    const text = allText(m);
    expect(text).toContain('waiting for 2 different approvers');
    expect(text).toContain('1 of 2 approvals: <@U0ONCALL001>');
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(true);
  });
});
