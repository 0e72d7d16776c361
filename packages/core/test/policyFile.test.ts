import {
  checkPolicy,
  createPlanner,
  DEFAULT_POLICY,
  globMatches,
  normaliseEvent,
  parsePolicyYaml,
} from '@tourniquet/core';
import { loadEvent, sampleConfig } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';

const config = sampleConfig();
const policy = (yaml: string) => parsePolicyYaml(yaml, 'p.yaml').policy;
const planWith = (yaml: string, event: string) =>
  createPlanner(config, policy(yaml)).plan(normaliseEvent(loadEvent(event)));

describe('Policy: globs', () => {
  it.each([
    ['Execution:*', 'Execution:Runtime/ReverseShell', true],
    ['*ReverseShell', 'Execution:Runtime/ReverseShell', true],
    ['Execution:Runtime/?everseShell', 'Execution:Runtime/ReverseShell', true],
    ['Execution:*/Reverse*', 'Execution:Runtime/ReverseShell', true],
    ['execution:*', 'Execution:Runtime/ReverseShell', false],
    ['Execution:Runtime', 'Execution:Runtime/ReverseShell', false],
    ['team-*', 'team-', true],
    ['a.b', 'axb', false],
  ])('%s against %s: %s', (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });
});

describe('Policy: first match wins', () => {
  it('the first rule that matches and fits decides; a rule for another playbook is passed over', () => {
    const p = planWith(
      `version: 1
rules:
  - name: nodes-first
    playbook: contain-node
    steps: [capture-evidence, open-ticket]
  - name: reverse-shells
    match: { type: "Execution:Runtime/Reverse*", severity: { min: HIGH, max: CRITICAL } }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
  - name: any-pod
    playbook: contain-pod
    steps: [label-pod, open-ticket]
`,
      'guardduty/runtime-reverse-shell-payments.json',
    );
    expect(p.playbook).toBe('contain-pod');
    expect(p.steps.map((s) => s.action)).toEqual(['isolate-pod', 'open-ticket']);
  });

  it('a ticket-only rule fits any finding, and the reason says the policy chose it', () => {
    const p = planWith(
      `version: 1
rules:
  - name: quiet-payments
    match: { namespace: payments }
    playbook: ticket-only
    steps: [open-ticket]
`,
      'guardduty/runtime-reverse-shell-payments.json',
    );
    expect(p.playbook).toBe('ticket-only');
    expect(p.reason).toMatch(/; policy rule "quiet-payments" gives it a ticket only$/);
  });

  it('with no rule matching, the finding gets a ticket only', () => {
    const p = planWith(
      `version: 1
rules:
  - name: staging-only
    match: { cluster: staging-* }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
`,
      'guardduty/runtime-reverse-shell-payments.json',
    );
    expect(p.playbook).toBe('ticket-only');
    expect(p.steps.map((s) => s.action)).toEqual(['open-ticket']);
    expect(p.reason).toMatch(/no policy rule matches it, so it gets a ticket only$/);
  });

  it('matches the namespace of an IRSA service account and the tags of a node', () => {
    const irsa = planWith(
      `version: 1
rules:
  - name: batch-tokens
    match: { source: cloudtrail, namespace: batch }
    playbook: revoke-identity
    steps: [block-web-identity, open-ticket]
  - { name: rest, playbook: ticket-only, steps: [open-ticket] }
`,
      'cloudtrail/irsa-assume-web-identity-access-denied.json',
    );
    expect(irsa.steps.map((s) => s.action)).toEqual(['block-web-identity', 'open-ticket']);
    const node = planWith(
      `version: 1
rules:
  - name: general-nodes
    match: { tags: { eks:nodegroup-name: "ng-gen*" } }
    playbook: contain-node
    steps: [capture-evidence, open-ticket]
  - { name: rest, playbook: ticket-only, steps: [open-ticket] }
`,
      'guardduty/node-runtime-cc-activity-ng-general.json',
    );
    expect(node.steps.map((s) => s.action)).toEqual(['capture-evidence', 'open-ticket']);
  });

  it('a step can add an approval and a dry-run', () => {
    const p = planWith(
      `version: 1
rules:
  - name: careful
    playbook: contain-pod
    steps: [{ action: isolate-pod, approval: required }, { action: label-pod, dryRun: true }, open-ticket]
`,
      'guardduty/runtime-reverse-shell-payments.json',
    );
    expect(p.steps.map((s) => [s.action, s.approval, s.dryRun])).toEqual([
      ['isolate-pod', 'required', false],
      ['label-pod', 'auto', true],
      ['open-ticket', 'auto', false],
    ]);
  });
});

describe('Policy: check', () => {
  it('finds nothing to say about the built-in policy', () => {
    expect(checkPolicy(DEFAULT_POLICY, config)).toEqual([]);
  });

  it('does not call a rule shadowed when the earlier one is narrower on any field', () => {
    const p = policy(`version: 1
rules:
  - name: high
    match: { type: "Execution:*", severity: { min: HIGH } }
    playbook: ticket-only
    steps: [open-ticket]
  - name: all-execution
    match: { type: "Execution:*" }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
  - name: payments
    match: { namespace: payments }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
`);
    expect(checkPolicy(p)).toEqual([]);
  });

  it('flags a rule after a broader one for the same playbook, and one after a catch-all ticket', () => {
    const p = policy(`version: 1
rules:
  - name: runtime
    match: { source: guardduty, type: "*:Runtime/*" }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
  - name: runtime-again
    match: { type: "*:Runtime/*" }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
  - { name: rest, playbook: ticket-only, steps: [open-ticket] }
  - name: too-late
    match: { source: config }
    playbook: remediate-config
    steps: [require-imdsv2, open-ticket]
`);
    expect(checkPolicy(p).map((x) => x.message)).toEqual([
      "rule 'runtime-again' is shadowed by rule 'runtime' (rules.0): every finding it matches, the earlier rule takes first",
      "rule 'too-late' is shadowed by rule 'rest' (rules.2): every finding it matches, the earlier rule takes first",
    ]);
  });
});
