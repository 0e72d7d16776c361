import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main';

interface Row {
  scope: string;
  check: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix: string | null;
}

const REPO = join(import.meta.dirname, '..', '..', '..');

async function doctor(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['doctor', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

/**
 * One cluster that cannot be contained: nothing enforces NetworkPolicies, its quarantine group
 * lets SSH in, its authentication mode is CONFIG_MAP, its RBAC is an older version's; the
 * stage's GuardDuty rule is disabled and two events wait in the dead-letter queue.
 */
const broken = {
  account: '111122223333',
  clusters: [
    {
      name: 'broken-eks',
      region: 'us-east-1',
      oidcIssuer: 'oidc.eks.us-east-1.amazonaws.com/id/BROKEN00000000000000000000000001',
      networkPolicyEnforcer: 'none',
      authenticationMode: 'CONFIG_MAP',
      rbac: 'stale',
      vpc: { id: 'vpc-0b0000000000000b1', cidr: '10.2.0.0/16' },
      subnets: [{ id: 'subnet-0b0000000000000b1', cidr: '10.2.0.0/20', az: 'us-east-1a' }],
      securityGroups: [
        {
          id: 'sg-0b0000000000000b1',
          name: 'tourniquet-quarantine',
          quarantine: true,
          ingress: [{ protocol: 'tcp', from: 22, to: 22, cidr: '0.0.0.0/0' }],
        },
      ],
    },
  ],
  guardDuty: { features: ['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING'], eksAddonManagement: false },
  deployment: { stage: 'qa', disabledRules: ['guardduty-eks'], deadLetters: 2 },
};

describe('tourniquet doctor --local', () => {
  let healthy: Awaited<ReturnType<typeof doctor>>;
  let failing: Awaited<ReturnType<typeof doctor>>;
  let rows: Row[];
  const row = (scope: string, check: string) => {
    const found = rows.find((r) => r.scope === scope && r.check.startsWith(check));
    if (!found) throw new Error(`no ${check} check for ${scope}`);
    return found;
  };

  beforeAll(async () => {
    healthy = await doctor(['--local']);
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-doctor-'));
    const scenario = join(dir, 'broken.json');
    writeFileSync(scenario, JSON.stringify(broken));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ clusters: [] }));
    failing = await doctor(['--local', '--scenario', scenario, '--config', config, '--json']);
    rows = failing.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Row);
  }, 600_000);

  afterAll(() => {});

  it('passes on the default scenario: no fail, exit 0', () => {
    expect(healthy.stderr).not.toMatch(/TOURNIQUET_DEBUG/);
    const lines = healthy.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+SCOPE\s+CHECK\s+DETAIL$/);
    expect(lines.filter((l) => l.startsWith('fail'))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^\d+ checks: \d+ passed, \d+ warning\(s\), 0 failed$/);
    expect(healthy.code).toBe(0);
    for (const cluster of ['prod-eks-01', 'staging-eks-02', 'shop-eks-03']) {
      for (const check of [
        'NetworkPolicy enforcer',
        'authentication mode',
        'RBAC',
        'quarantine group',
        'endpoint reachability',
      ]) {
        expect(lines.find((l) => l.includes(cluster) && l.includes(check))).toMatch(/^pass /);
      }
    }
    expect(lines.find((l) => l.includes('EventBridge rules') && l.includes('us-east-1'))).toMatch(
      /^pass .*6 routing rules enabled/,
    );
    expect(lines.find((l) => l.includes('dead-letter queue'))).toMatch(
      /^pass .*tourniquet-local-triage-dlq is empty/,
    );
  });

  it('says what moto cannot answer instead of passing it', () => {
    const accessEntries = healthy.stdout
      .split('\n')
      .filter((l) => /^\w+ +[\w-]+ +access entries /.test(l));
    expect(accessEntries).toHaveLength(3);
    for (const line of accessEntries) {
      expect(line).toMatch(/^warn .*moto does not implement EKS ListAccessEntries/);
    }
    expect(healthy.stdout).toMatch(
      /pass +prod-eks-01 +authentication mode +API_AND_CONFIG_MAP: .*from the scenario: moto reports no accessConfig/,
    );
  });

  it('fails a cluster without a NetworkPolicy enforcer, with the fix', () => {
    expect(row('broken-eks', 'NetworkPolicy enforcer')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/nothing enforces NetworkPolicies/),
      fix: expect.stringMatching(
        /^aws eks update-addon --cluster-name broken-eks --region us-east-1 --addon-name vpc-cni --configuration-values '\{"enableNetworkPolicy":"true"\}'/,
      ),
    });
  });

  it('fails a quarantine group with a rule, with the fix', () => {
    expect(row('broken-eks', 'quarantine group')).toMatchObject({
      status: 'fail',
      detail: '1 inbound and 0 outbound rule(s): isolated pods would still talk',
      fix: expect.stringMatching(
        /^aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-/,
      ),
    });
  });

  it('fails CONFIG_MAP authentication and the access entries it makes unusable', () => {
    expect(row('broken-eks', 'authentication mode')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^CONFIG_MAP: access entries are unusable/),
      fix: expect.stringMatching(
        /^aws eks update-cluster-config --name broken-eks --region us-east-1 --access-config authenticationMode=API_AND_CONFIG_MAP/,
      ),
    });
    expect(row('broken-eks', 'access entries')).toMatchObject({ status: 'fail' });
  });

  it('fails RBAC that does not match docs/rbac.yaml, read back through the Kubernetes API', () => {
    expect(row('broken-eks', 'RBAC')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/tourniquet:label-pod lacks get namespaces/),
      fix: 'kubectl apply -f docs/rbac.yaml (with the context of broken-eks)',
    });
  });

  it('fails a disabled routing rule and a dead-letter queue with events in it', () => {
    expect(row('111122223333 us-east-1', 'EventBridge rules')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/tourniquet-qa-guardduty-eks DISABLED \(expected ENABLED\)/),
      fix: 'aws events enable-rule --region us-east-1 --name tourniquet-qa-guardduty-eks',
    });
    expect(row('111122223333 us-east-1', 'dead-letter queue')).toMatchObject({
      status: 'fail',
      detail: '2 security event(s) failed triage and wait in tourniquet-qa-triage-dlq',
    });
  });

  it('warns when GuardDuty does not manage its EKS agent, and when Config rules are missing', () => {
    expect(row('111122223333 us-east-1', 'GuardDuty Runtime Monitoring')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/EKS add-on management off/),
    });
    expect(row('111122223333 us-east-1', 'GuardDuty EKS audit logs').status).toBe('pass');
    expect(row('111122223333 us-east-1', 'AWS Config rules')).toMatchObject({
      status: 'warn',
      fix: expect.stringMatching(/^aws configservice put-config-rule --region us-east-1/),
    });
  });

  it('exits 1 when a check failed, every fail and warn with a one-line fix', () => {
    expect(failing.code).toBe(1);
    for (const r of rows.filter((r) => r.status !== 'pass')) {
      expect(r.fix).toMatch(/^\S.*\S$/);
      expect(r.fix).not.toMatch(/\n/);
    }
  });
});

describe('tourniquet doctor: usage', () => {
  it('needs --stage or --local', async () => {
    const { code, stderr } = await doctor([]);
    expect(code).toBe(64);
    expect(stderr).toMatch(
      /^tourniquet doctor: name the deployed stage with --stage STAGE, or check locally with --local/,
    );
  });

  it('prints its help with the checks and the exit codes', async () => {
    const { code, stdout } = await doctor(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: tourniquet doctor --stage STAGE/);
    expect(stdout).toMatch(
      /Exit status: 0 no check failed \(warnings allowed\), 1 some check failed/,
    );
  });
});
