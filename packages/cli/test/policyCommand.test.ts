import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main';
import type { PlanRecord } from '../src/planEvent';

async function run(args: string[], cwd = REPO_ROOT) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
  });
  return { code, stdout, stderr };
}

function scratch(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-policy-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const OBSERVE_PROD = `version: 1
clusters:
  prod-eks-01:
    observeOnly: true
rules:
  - name: pods-isolate-only
    match: { source: guardduty, namespace: payments, severity: { min: HIGH } }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
  - name: everything-else
    playbook: ticket-only
    steps: [open-ticket]
`;

describe('CLI: tourniquet policy check', () => {
  it('passes the built-in policy against the sample configuration', async () => {
    const { code, stdout } = await run([
      'policy',
      'check',
      '--config',
      'tourniquet.config.json',
      'packages/core/policy/default.yaml',
    ]);
    expect(stdout).toBe(
      'packages/core/policy/default.yaml: 5 rule(s), no problems (checked against tourniquet.config.json)\n',
    );
    expect(code).toBe(0);
  });

  it('names each problem as file:line:column, flags unreachable and shadowed rules, and exits 1', async () => {
    const file = scratch(
      'policy.yaml',
      `version: 1
clusters:
  nowhere-eks: { observeOnly: true }
rules:
  - name: upside-down
    match:
      severity: { min: CRITICAL, max: LOW }
    playbook: ticket-only
    steps: [open-ticket]
  - name: runtime
    match: { source: guardduty, type: "Execution:*" }
    playbook: contain-pod
    steps: [isolate-pod, { action: cordon-node, approval: auto }, open-ticket]
  - name: reverse-shells
    match: { source: guardduty, type: "Execution:Runtime/ReverseShell", severity: { min: HIGH } }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
  - name: config-pods
    match: { source: config }
    playbook: contain-pod
    steps: [isolate-pod, open-ticket]
  - name: other-cluster
    match: { cluster: legacy-* }
    playbook: ticket-only
    steps: [open-ticket]
`,
    );
    const { code, stdout } = await run([
      'policy',
      'check',
      '--config',
      'tourniquet.config.json',
      file,
    ]);
    expect(stdout.split('\n')).toEqual([
      `${file}:3:3: clusters.nowhere-eks: cluster nowhere-eks is not in the configuration (prod-eks-01, staging-eks-02, shop-eks-03)`,
      `${file}:7:7: rules.0.match.severity: min CRITICAL is above max LOW: this rule can never match`,
      `${file}:13:49: rules.1.steps.1.approval: approval: auto has no effect: the configuration requires approval for cordon-node (approvalRequired), and a policy cannot lower it`,
      `${file}:14:5: rules.2: rule 'reverse-shells' is shadowed by rule 'runtime' (rules.1): every finding it matches, the earlier rule takes first`,
      `${file}:19:14: rules.3.match.source: contain-pod is only for guardduty findings, not config: this rule can never match`,
      `${file}:23:14: rules.4.match.cluster: no configured cluster matches legacy-* (configured: prod-eks-01, staging-eks-02, shop-eks-03): this rule can never match`,
      `${file}: 6 problem(s)`,
      '',
    ]);
    expect(code).toBe(1);
  });

  it('reports format errors with their position and the closest known name', async () => {
    const file = scratch(
      'policy.yaml',
      `version: 2
rules:
  - name: pods
    match: { sorce: guardduty }
    playbook: contain-pd
    steps: [isolate-pod, open-ticket]
`,
    );
    const { code, stdout } = await run(['policy', 'check', file]);
    expect(stdout).toContain(`${file}:1:1: version: this Tourniquet reads policy version 1, not 2`);
    expect(stdout).toContain(
      `${file}:4:14: rules.0.match.sorce: unknown key (did you mean source?)`,
    );
    expect(stdout).toContain(
      `${file}:5:5: rules.0.playbook: expected a playbook: contain-pod, contain-node, revoke-identity, remediate-config, ticket-only, not 'contain-pd' (did you mean contain-pod?)`,
    );
    expect(code).toBe(1);
  });

  it('reports a YAML syntax error at its line and column', async () => {
    const file = scratch('policy.yaml', 'version: 1\nrules:\n  - name: [unclosed\n');
    const { code, stdout } = await run(['policy', 'check', file]);
    expect(stdout).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}:4:1: `));
    expect(code).toBe(1);
  });

  it('exits 64 for a missing file or a missing subcommand', async () => {
    const missing = await run(['policy', 'check', 'no-such-policy.yaml']);
    expect(missing.stderr).toBe('tourniquet policy: cannot read no-such-policy.yaml: ENOENT\n');
    expect(missing.code).toBe(64);
    const bare = await run(['policy']);
    expect(bare.stderr).toMatch(/^tourniquet policy: policy needs a command: check/);
    expect(bare.code).toBe(64);
  });
});

describe('CLI: plan --policy', () => {
  it('plans with the given policy: an observe-only cluster gets dry-run steps and a real ticket', async () => {
    const file = scratch('policy.yaml', OBSERVE_PROD);
    const { code, stdout } = await run([
      'plan',
      '--json',
      '--policy',
      file,
      'events/guardduty/runtime-reverse-shell-payments.json',
      'events/guardduty/runtime-reverse-shell-staging-payments.json',
    ]);
    expect(code).toBe(0);
    const [prod, staging] = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PlanRecord);
    expect(prod?.steps.map((s) => [s.action, s.dryRun])).toEqual([
      ['isolate-pod', true],
      ['open-ticket', false],
    ]);
    expect(prod?.reason).toMatch(/\(observe-only: the policy observes cluster prod-eks-01\)$/);
    expect(prod?.skipped).toContainEqual({
      action: 'cordon-node',
      reason: 'policy rule "pods-isolate-only" leaves cordon-node out',
    });
    expect(staging?.steps.map((s) => [s.action, s.dryRun])).toEqual([
      ['isolate-pod', false],
      ['open-ticket', false],
    ]);
  });

  it('refuses an invalid policy with exit 64, naming file, line and column', async () => {
    const file = scratch(
      'policy.yaml',
      'version: 1\nrules:\n  - name: x\n    playbook: nope\n    steps: [open-ticket]\n',
    );
    const { code, stderr } = await run([
      'plan',
      '--policy',
      file,
      'events/guardduty/runtime-reverse-shell-payments.json',
    ]);
    expect(stderr).toContain(`${file}:4:5: rules.0.playbook: expected a playbook`);
    expect(code).toBe(64);
  });
});
