import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_CONFIG } from '@tourniquet/core';
import { StaticKubeConnector } from '@tourniquet/kube';
import { LOCAL_CREDENTIALS, LocalWorld, parseScenario } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDetector } from '../src/preflight/guardDutyFeatures';
import { type CheckResult, runPreflight } from '../src/preflight/preflight';
import { reportPreflight } from '../src/preflightCommand';

/** Two clusters: one ready to be contained, one that is not (no enforcer, a leaky quarantine group). */
const scenario = parseScenario({
  account: '111122223333',
  clusters: [
    {
      name: 'ready-eks',
      region: 'us-east-1',
      oidcIssuer: 'oidc.eks.us-east-1.amazonaws.com/id/READY0000000000000000000000000001',
      networkPolicyEnforcer: 'vpc-cni',
      vpc: { id: 'vpc-0a0000000000000a1', cidr: '10.1.0.0/16' },
      subnets: [{ id: 'subnet-0a0000000000000a1', cidr: '10.1.0.0/20', az: 'us-east-1a' }],
      securityGroups: [
        { id: 'sg-0a0000000000000a1', name: 'tourniquet-quarantine', quarantine: true },
      ],
    },
    {
      name: 'leaky-eks',
      region: 'us-west-2',
      oidcIssuer: 'oidc.eks.us-west-2.amazonaws.com/id/LEAKY0000000000000000000000000001',
      networkPolicyEnforcer: 'none',
      vpc: { id: 'vpc-0b0000000000000b1', cidr: '10.2.0.0/16' },
      subnets: [{ id: 'subnet-0b0000000000000b1', cidr: '10.2.0.0/20', az: 'us-west-2a' }],
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
});

/** GuardDuty CreateDetector (REST) in moto: Runtime Monitoring and EKS audit logs on. */
async function createDetector(endpoint: string, region: string) {
  const url = new URL('/detector', endpoint);
  const body = JSON.stringify({
    enable: true,
    features: [
      { name: 'RUNTIME_MONITORING', status: 'ENABLED' },
      { name: 'EKS_AUDIT_LOGS', status: 'ENABLED' },
    ],
  });
  const signed = await new SignatureV4({
    service: 'guardduty',
    region,
    credentials: LOCAL_CREDENTIALS,
    sha256: Sha256,
  }).sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    }),
  );
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  expect(response.ok).toBe(true);
}

describe('tourniquet preflight (moto + Kubernetes simulator)', () => {
  let world: LocalWorld;
  let results: CheckResult[];
  let output = '';
  let code: number;

  beforeAll(async () => {
    world = await LocalWorld.start({ config: DEFAULT_CONFIG, scenario });
    await createDetector(world.moto.endpoint, 'us-east-1');
    results = await runPreflight(world.config, {
      eks: (region) => world.aws(region).eks,
      ec2: (region) => world.aws(region).ec2,
      kube: (cluster) => new StaticKubeConnector(world.kubeConfig(cluster)).adapterFor(),
      detector: (region) =>
        readDetector({ region, credentials: LOCAL_CREDENTIALS, endpoint: world.moto.endpoint }),
    });
    code = reportPreflight(
      results,
      { stdout: (t) => (output += t), stderr: () => {}, cwd: '.' },
      false,
    );
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  const line = (scope: string, check: string) =>
    output.split('\n').find((l) => l.slice(2).startsWith(`${scope}: ${check}`)) ?? '';

  it('passes the cluster with an enforcer and a rule-less quarantine group', () => {
    expect(line('ready-eks', 'NetworkPolicy enforcer')).toMatch(/^✓ .*vpc-cni enforces/);
    expect(line('ready-eks', 'quarantine group')).toMatch(/^✓ .*: no rules$/);
    expect(line('region us-east-1', 'GuardDuty EKS protection')).toMatch(
      /^✓ .*Runtime Monitoring and EKS audit logs on$/,
    );
  });

  it('fails the cluster without an enforcer and with a quarantine rule, each with its fix', () => {
    expect(line('leaky-eks', 'NetworkPolicy enforcer')).toMatch(
      /^✗ .*nothing enforces NetworkPolicies.* — fix: enable the VPC CNI network policy agent/,
    );
    expect(line('leaky-eks', 'quarantine group')).toMatch(
      /^✗ .*1 inbound and 0 outbound rule\(s\).* — fix: remove every rule/,
    );
    expect(line('region us-west-2', 'GuardDuty EKS protection')).toMatch(
      /^✗ .*no GuardDuty detector in this region: no findings will come — fix: aws guardduty create-detector --enable --region us-west-2/,
    );
  });

  it('says so when DescribeCluster reports no authentication mode (moto has no accessConfig)', () => {
    for (const cluster of ['ready-eks', 'leaky-eks']) {
      expect(line(cluster, 'authentication mode')).toMatch(
        /^✗ .*reports no authentication mode — fix: aws eks update-cluster-config .*authenticationMode=API_AND_CONFIG_MAP/,
      );
    }
  });

  it('prints one line per check and exits non-zero when any fails', () => {
    const checks = output.trim().split('\n');
    expect(checks).toHaveLength(results.length + 1);
    expect(checks.at(-1)).toBe(
      `${results.filter((r) => !r.ok).length} of ${results.length} checks failed`,
    );
    expect(code).toBe(1);
  });
});
