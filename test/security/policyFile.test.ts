import {
  blastRadiusScope,
  createPlanner,
  normaliseEvent,
  type Plan,
  PolicyError,
  parsePolicyYaml,
  type TourniquetConfig,
} from '@tourniquet/core';
import { describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig } from '../helpers/events';

/**
 * Attacks through the policy file: whoever writes (or swaps) the policy chooses which of a
 * playbook's steps run, and may add approvals and dry-runs — never what a step acts on, and
 * never a safety rail (configured scope, protected namespaces and nodes, the approval floor,
 * dry-run, the ticket). Each policy below is what such an author would write.
 */
const config = sampleConfig();

const policy = (yaml: string) => parsePolicyYaml(yaml, 'attack.yaml').policy;

function plan(event: string, yaml: string, cfg: TourniquetConfig = config): Plan {
  return createPlanner(cfg, policy(yaml)).plan(normaliseEvent(loadEvent(event)));
}

function rejection(yaml: string): string {
  try {
    policy(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).message;
  }
  throw new Error('the policy was accepted');
}

const EVERY_POD_STEP = `[isolate-pod, label-pod, capture-evidence, protect-node, cordon-node, isolate-node, revoke-role-sessions, open-ticket]`;

describe('Policy file: what a policy cannot do', () => {
  it('a rule matching a protected namespace cannot isolate or label its pods', () => {
    const p = plan(
      'guardduty/runtime-reverse-shell-kube-system.json',
      `version: 1
rules:
  - name: contain-kube-system
    match: { namespace: kube-system }
    playbook: contain-pod
    steps: ${EVERY_POD_STEP}
`,
    );
    expect(p.steps.map((s) => s.action)).toEqual(['open-ticket']);
    expect(p.playbook).toBe('ticket-only');
    expect(p.skipped.find((s) => s.action === 'isolate-pod')).toMatchObject({ protected: true });
  });

  it('"approval: auto" on a destructive step keeps the approval the configuration requires', () => {
    const p = plan(
      'guardduty/runtime-reverse-shell-payments.json',
      `version: 1
rules:
  - name: no-approvals
    playbook: contain-pod
    steps:
      - isolate-pod
      - { action: cordon-node, approval: auto }
      - { action: revoke-role-sessions, approval: auto }
      - open-ticket
`,
    );
    expect(p.steps.find((s) => s.action === 'cordon-node')?.approval).toBe('required');
    expect(p.steps.find((s) => s.action === 'revoke-role-sessions')?.approval).toBe('required');
  });

  it('"approval: auto" cannot drop the approval on revoking a shared node role, even with a configuration that requires none', () => {
    const p = plan(
      'guardduty/node-runtime-cc-activity-ng-general.json',
      `version: 1
rules:
  - name: revoke-node-role-now
    playbook: contain-node
    steps: [{ action: revoke-role-sessions, approval: auto }, open-ticket]
`,
      { ...config, approvalRequired: [] },
    );
    const revoke = p.steps.find((s) => s.action === 'revoke-role-sessions');
    expect(revoke?.subject.kind).toBe('instance-profile-role');
    expect(revoke?.approval).toBe('required');
  });

  it('a step cannot name its own target (a pod picked from an attacker-controlled field)', () => {
    const message = rejection(`version: 1
rules:
  - name: retarget
    playbook: contain-pod
    steps:
      - { action: isolate-pod, target: pod/kube-system/coredns }
      - open-ticket
`);
    expect(message).toMatch(
      /attack\.yaml:6:32: rules\.0\.steps\.0\.target: not a policy key: a policy cannot choose a step's target/,
    );
  });

  it('a match on the pod name an attacker chose is not a matcher, so it cannot pick the victim', () => {
    expect(
      rejection(`version: 1
rules:
  - name: by-pod-name
    match: { pod: coredns }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
`),
    ).toMatch(/rules\.0\.match\.pod: unknown key/);
  });

  it('a denied AssumeRoleWithWebIdentity never makes the role the caller asked for a target, whatever the rule', () => {
    const p = plan(
      'cloudtrail/irsa-assume-web-identity-access-denied.json',
      `version: 1
rules:
  - name: revoke-everything
    match: { type: "*" }
    playbook: revoke-identity
    steps:
      - { action: revoke-role-sessions, approval: auto }
      - { action: block-web-identity, approval: auto }
      - open-ticket
`,
    );
    const targets = p.steps.map((s) => s.target).join(' ');
    expect(targets).not.toContain('payments-api-irsa');
    expect(p.steps.find((s) => s.action === 'revoke-role-sessions')?.target).toBe(
      'serviceaccount-role/batch/batch-runner',
    );
  });

  it('a contain-pod rule cannot contain a workload the finding does not name as a pod', () => {
    const p = plan(
      'guardduty/audit-sensitive-mount-deployment-data.json',
      `version: 1
rules:
  - name: contain-data
    match: { namespace: data }
    playbook: contain-pod
    steps: ${EVERY_POD_STEP}
  - name: rest
    playbook: ticket-only
    steps: [open-ticket]
`,
    );
    expect(p.playbook).toBe('ticket-only');
    expect(p.steps.map((s) => s.action)).toEqual(['open-ticket']);
  });

  it('a rule naming a cluster outside the configuration cannot reach it', () => {
    const p = plan(
      'guardduty/runtime-new-binary-legacy-cluster.json',
      `version: 1
rules:
  - name: legacy
    match: { cluster: legacy-* }
    playbook: contain-pod
    steps: ${EVERY_POD_STEP}
`,
    );
    expect(p.playbook).toBe('ticket-only');
    expect(p.reason).toMatch(/is not in the configuration; Tourniquet does not act on it/);
  });

  it('a rule matching the protect tag cannot act on a protected node', () => {
    const p = plan(
      'guardduty/node-runtime-reverse-shell-protected-node.json',
      `version: 1
rules:
  - name: protected-nodes-too
    match: { tags: { tourniquet.io/protect: "true" } }
    playbook: contain-node
    steps: [capture-evidence, protect-node, quarantine-instance-profile, cordon-node, isolate-node, revoke-role-sessions, open-ticket]
`,
    );
    expect(p.steps.map((s) => s.action)).toEqual(['open-ticket']);
    expect(p.skipped.map((s) => s.action)).toContain('cordon-node');
    expect(p.skipped.every((s) => s.protected)).toBe(true);
  });

  it('"dryRun: false" cannot turn off the configuration\'s dry-run', () => {
    const p = plan(
      'guardduty/runtime-reverse-shell-payments.json',
      `version: 1
rules:
  - name: live
    dryRun: false
    playbook: contain-pod
    steps: [{ action: isolate-pod, dryRun: false }, open-ticket]
`,
      { ...config, dryRun: true },
    );
    expect(p.steps.every((s) => s.dryRun)).toBe(true);
  });

  it('an observe-only cluster applies nothing and spends no blast-radius budget, whatever its rule says', () => {
    const p = plan(
      'guardduty/runtime-reverse-shell-payments.json',
      `version: 1
clusters:
  prod-eks-01: { observeOnly: true }
rules:
  - name: live
    dryRun: false
    playbook: contain-pod
    steps: [{ action: isolate-pod, dryRun: false }, cordon-node, open-ticket]
`,
    );
    expect(p.steps.filter((s) => s.action !== 'open-ticket').every((s) => s.dryRun)).toBe(true);
    expect(p.steps.find((s) => s.action === 'open-ticket')?.dryRun).toBe(false);
    expect(blastRadiusScope(p, config.blastRadius)).toBeNull();
  });

  it('containment a custom policy plans still counts against the blast radius', () => {
    const p = plan(
      'guardduty/runtime-reverse-shell-payments.json',
      `version: 1
rules:
  - name: isolate-only
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
`,
    );
    expect(blastRadiusScope(p, config.blastRadius)).toMatchObject({ what: 'pods' });
  });

  it('a policy cannot add a step its playbook does not run', () => {
    expect(
      rejection(`version: 1
rules:
  - name: open-the-firewall
    playbook: contain-pod
    steps: [isolate-pod, revoke-open-ingress, open-ticket]
`),
    ).toMatch(
      /attack\.yaml:5:26: rules\.0\.steps\.1\.action: revoke-open-ingress is not a step of the contain-pod playbook/,
    );
  });

  it('a policy cannot drop the ticket that records and pages', () => {
    expect(
      rejection(`version: 1
rules:
  - name: silent
    playbook: contain-pod
    steps: [isolate-pod]
`),
    ).toMatch(/rules\.0\.steps: every rule must list open-ticket/);
  });

  it.each([
    ['protectedNamespaces', 'protectedNamespaces: []'],
    ['blastRadius', 'blastRadius: { maxPodsPerHour: 100000 }'],
    ['approvalRequired', 'approvalRequired: []'],
    ['minimumSeverity', 'minimumSeverity: LOW'],
  ])('a policy cannot set the safety rail %s', (key, line) => {
    expect(
      rejection(`version: 1
${line}
rules:
  - { name: all, playbook: ticket-only, steps: [open-ticket] }
`),
    ).toMatch(new RegExp(`attack\\.yaml:2:1: ${key}: not a policy key`));
  });

  it('a YAML alias bomb is refused before it expands', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(
        `${name}: &${name} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    expect(rejection(`version: 1\n${levels.join('\n')}\nrules: []\n`)).toMatch(
      /[Ee]xcessive alias count/,
    );
  });
});
