import { readEventInputs } from '@tourniquet/cli';
import { parseConfig } from '@tourniquet/core';
import { parseApprovalSettings } from '@tourniquet/slack';
import { sampleApprovalRequest } from '@tourniquet/slack/testkit';
import { createSlackApprover, replay } from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';
import { useMoto } from './helpers/moto';

const POD_FINDING = 'events/guardduty/runtime-reverse-shell-payments.json';

/**
 * `tourniquet replay --approve slack`: the Slack approver runs the real request-approval code
 * against the simulator and moto, clicks, and the real decision endpoint completes the
 * in-process Task the local playbook waits on.
 */
describe('Local: Slack approver', () => {
  const moto = useMoto();

  it('approves through Slack: the message is posted, clicked and updated; the Task gets the decision', async () => {
    const lines: string[] = [];
    const slack = await createSlackApprover({
      choice: 'approve',
      aws: moto(),
      progress: (l) => lines.push(l),
    });
    try {
      const decision = await slack.approver(
        sampleApprovalRequest({ taskToken: 'local-task-token:a' }),
      );
      expect(decision).toMatchObject({ decision: 'approved', by: 'slack:U0ONCALL001' });
      const [message] = slack.simulator.record.messages;
      expect(JSON.stringify(message?.blocks)).toContain('✅ *Approved* by <@U0ONCALL001>');
      expect(lines.join('\n')).toContain('"type": "actions"');
      expect(lines.join('\n')).toMatch(/alice\.oncall clicked approve → 200 approved/);
    } finally {
      await slack.stop();
    }
  });

  it('denies through Slack, and asks two different people under the two-person rule', async () => {
    const deny = await createSlackApprover({ choice: 'deny', aws: moto() });
    const twoPerson = await createSlackApprover({
      choice: 'approve',
      aws: moto(),
      settings: parseApprovalSettings({
        twoPersonActions: ['cordon-node'],
        slack: {
          channel: 'C0INCIDENTS',
          teamId: 'T0TOURNIQ01',
          approverUserIds: ['U0ONCALL001', 'U0ONCALL002'],
        },
      }),
    });
    try {
      expect(
        await deny.approver(sampleApprovalRequest({ taskToken: 'local-task-token:b' })),
      ).toMatchObject({
        decision: 'denied',
        by: 'slack:U0ONCALL001',
      });
      expect(
        await twoPerson.approver(sampleApprovalRequest({ taskToken: 'local-task-token:c' })),
      ).toMatchObject({
        decision: 'approved',
        by: 'slack:U0ONCALL001 + slack:U0ONCALL002',
      });
    } finally {
      await Promise.all([deny.stop(), twoPerson.stop()]);
    }
  });

  it('lets nobody else decide: a click by a non-approver leaves the request to expire', async () => {
    const slack = await createSlackApprover({
      choice: 'approve',
      aws: moto(),
      clickers: [{ id: 'U0BYSTANDR1', name: 'mallory' }],
    });
    try {
      expect(
        await slack.approver(sampleApprovalRequest({ taskToken: 'local-task-token:d' })),
      ).toEqual({
        decision: 'expired',
      });
      expect(slack.simulator.record.ephemerals).toMatchObject([{ user: 'U0BYSTANDR1' }]);
    } finally {
      await slack.stop();
    }
  });

  it('drives a whole replay: the pod is contained and the node cordoned after the Slack approval', async () => {
    const slack = await createSlackApprover({ choice: 'approve', aws: moto() });
    try {
      const records: unknown[] = [];
      await replay({
        inputs: await readEventInputs([POD_FINDING], REPO_ROOT),
        config: parseConfig({}),
        approver: slack.approver,
        onRecord: (r) => records.push(r),
        onRejected: (source, problem) => {
          throw new Error(`${source}: ${problem}`);
        },
      });
      expect(records).toMatchObject([
        { playbook: 'contain-pod', status: 'SUCCEEDED', state: { node: { schedulable: false } } },
      ]);
      expect(slack.simulator.record.messages).toHaveLength(1);
    } finally {
      await slack.stop();
    }
  });
});
