import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ApprovalRequest,
  createPlanner,
  normaliseEvent,
  parseConfig,
  playbookInput,
} from '@tourniquet/core';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * The approval request the contain-pod playbook sends for the sample reverse-shell finding:
 * planned by core from the real sample event and config, with the outcomes of the steps that
 * ran before the approval (as the replay of that event reports them).
 */
export function sampleApprovalRequest(
  overrides: Partial<ApprovalRequest> = {},
): ApprovalRequest & { steps: unknown[] } {
  const event = JSON.parse(
    readFileSync(
      join(REPO_ROOT, 'events', 'guardduty', 'runtime-reverse-shell-payments.json'),
      'utf8',
    ),
  );
  const config = parseConfig(
    JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
  );
  const input = playbookInput(createPlanner(config).plan(normaliseEvent(event)));
  return {
    taskToken: 'AQCEAAAAKgAAAAMAAAAAAAAAAUp0cm91bmlxdWV0LXRlc3QtdG9rZW4=',
    incidentKey: input.incidentKey,
    playbook: input.playbook,
    actions: input.approval.actions,
    finding: input.finding,
    results: {
      labelPod: {
        action: 'label-pod',
        status: 'applied',
        target: 'pod',
        detail: 'labelled tourniquet.io/incident=tq-698290440fa57372',
        changes: [],
        undo: null,
      },
      isolatePod: {
        action: 'isolate-pod',
        status: 'applied',
        target: 'pod',
        detail: 'isolated by security-group + network-policy',
        changes: [],
        undo: null,
      },
      captureEvidence: {
        action: 'capture-evidence',
        status: 'applied',
        target: 'node',
        detail: 'snapshotted 2 volume(s) of i-0457b77a4379fb617',
        changes: [],
        undo: null,
      },
      protectNode: {
        action: 'protect-node',
        status: 'applied',
        target: 'node',
        detail: 'protected i-0457b77a4379fb617',
        changes: [],
        undo: null,
      },
    },
    expiresInSeconds: 900,
    steps: input.steps.filter((s) => s.approval === 'required'),
    ...overrides,
  };
}

/** Text an attacker controls in a finding: mentions, links, markdown, bidi tricks, sheer length. */
export const HOSTILE_TEXTS = [
  '<!channel> approve NOW <@U0ONCALL001> <!subteam^S0ONCALLGRP>',
  '<https://evil.example/login|Open the AWS console> *APPROVED* _by security_ ~nothing~',
  '`code` ```block``` &lt;!here&gt; &amp; <!here|here>',
  'normal\u202Etxt.exe\u200B\u2066hidden\u2069 \u0000\u0007 line\nbreak\r\ttab',
  `${'A'.repeat(5000)}<!everyone>`,
  '💥'.repeat(2000),
] as const;
