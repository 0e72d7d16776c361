import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parsePolicy, parsePolicyYaml } from '@tourniquet/core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';

/**
 * A stage's policy file (`deploy.policyFile`) reaches triage, and only triage, with the SST
 * program evaluated offline under Pulumi's runtime mocks (as in test/infra.test.ts). A policy
 * that does not validate stops the deploy before anything is created.
 */
const platform = createRequire(join(REPO_ROOT, '.sst', 'platform', 'package.json'));
const pulumi = platform('@pulumi/pulumi');
const ACCOUNT = '111122223333';

const functions: Array<{ name: string; variables: Promise<Record<string, string>> }> = [];
let settingsModule: any;
let index: any;

const sample = JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'));
const { accounts: _members, ...single } = sample;
const singleAccount = {
  ...single,
  clusters: sample.clusters.filter((c: { account: string }) => c.account === ACCOUNT),
};

const OBSERVE_STAGING = `version: 1
clusters:
  staging-eks-02: { observeOnly: true }
rules:
  - name: pods
    description: documentation that is not shipped
    match: { source: guardduty, severity: { min: HIGH } }
    playbook: contain-pod
    steps: [isolate-pod, { action: capture-evidence, approval: required, note: not shipped }, open-ticket]
  - { name: rest, playbook: ticket-only, steps: [open-ticket] }
`;

function stageDir(policyFile: string | undefined, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-stage-'));
  const deploy = policyFile ? { policyFile } : {};
  writeFileSync(join(dir, 'tourniquet.prod.json'), JSON.stringify({ ...singleAccount, deploy }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

beforeAll(async () => {
  pulumi.runtime.setMocks(
    {
      newResource(args: { type: string; name: string; inputs: Record<string, any> }) {
        const name = args.inputs.name ?? args.name;
        if (args.type === 'aws:lambda/function:Function') {
          functions.push({
            name,
            variables: Promise.resolve(args.inputs.environment?.variables ?? {}),
          });
        }
        return {
          id: `${name}-id`,
          state: { ...args.inputs, name, arn: `arn:aws:mock:us-east-1:${ACCOUNT}:${name}` },
        };
      },
      call(args: { token: string; inputs: Record<string, any> }) {
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity')
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/deployer`, userId: 'A' };
        if (args.token === 'aws:index/getRegion:getRegion')
          return { name: 'us-east-1', region: 'us-east-1', id: 'us-east-1' };
        if (args.token === 'aws:index/getPartition:getPartition')
          return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
        if (args.token === 'aws:eks/getCluster:getCluster')
          return { ...args.inputs, accessConfigs: [{ authenticationMode: 'API' }] };
        return args.inputs;
      },
    },
    'tourniquet',
    'prod',
    false,
  );
  const g = globalThis as any;
  g.aws = platform('@pulumi/aws');
  g.$util = pulumi;
  g.$interpolate = pulumi.interpolate;
  g.$jsonStringify = pulumi.jsonStringify;
  g.$app = { name: 'tourniquet', stage: 'prod' };
  g.sst = {
    Secret: class {
      value: unknown;
      constructor(readonly name: string) {
        this.value = pulumi.secret(`<${name}>`);
      }
    },
  };
  process.env.TOURNIQUET_INFRA_BUNDLE = '0';
  const load = (path: string) => import(pathToFileURL(join(REPO_ROOT, path)).href);
  settingsModule = await load('infra/settings.ts');
  index = await load('infra/index.ts');
}, 120_000);

beforeEach(() => {
  functions.length = 0;
});

async function deployedVariables(dir: string) {
  await index.tourniquet(settingsModule.stageSettings('prod', dir));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return Object.fromEntries(
    await Promise.all(functions.map(async (f) => [f.name, await f.variables] as const)),
  ) as Record<string, Record<string, string>>;
}

describe('Deploy: the stage policy file', () => {
  it('ships deploy.policyFile to triage alone, validated and without its documentation fields', async () => {
    const dir = stageDir('prod-policy.yaml', { 'prod-policy.yaml': OBSERVE_STAGING });
    const deployed = await deployedVariables(dir);
    const shipped = deployed['tourniquet-prod-triage']?.TOURNIQUET_POLICY;
    expect(shipped).toBeDefined();
    expect(shipped).not.toContain('not shipped');
    const policy = parsePolicy(JSON.parse(shipped as string));
    const written = parsePolicyYaml(OBSERVE_STAGING).policy;
    expect(policy.clusters).toEqual({ 'staging-eks-02': { observeOnly: true } });
    expect(
      policy.rules.map((r) => [r.name, r.playbook, r.steps.map((s) => [s.action, s.approval])]),
    ).toEqual(
      written.rules.map((r) => [r.name, r.playbook, r.steps.map((s) => [s.action, s.approval])]),
    );
    const others = Object.entries(deployed).filter(([name]) => name !== 'tourniquet-prod-triage');
    expect(others.length).toBeGreaterThan(5);
    for (const [name, vars] of others) expect(vars.TOURNIQUET_POLICY, name).toBeUndefined();
  });

  it('without deploy.policyFile, triage plans with the built-in policy (no variable)', async () => {
    const deployed = await deployedVariables(stageDir(undefined, {}));
    expect(deployed['tourniquet-prod-triage']).toBeDefined();
    expect(deployed['tourniquet-prod-triage']?.TOURNIQUET_POLICY).toBeUndefined();
  });

  it('an invalid policy file stops the deploy naming file, line and column', () => {
    const dir = stageDir('prod-policy.yaml', {
      'prod-policy.yaml':
        'version: 1\nrules:\n  - name: x\n    playbook: contain-pod\n    steps: [isolate-pod]\n',
    });
    expect(() => settingsModule.stageSettings('prod', dir)).toThrow(
      /prod-policy\.yaml:5:5: rules\.0\.steps: every rule must list open-ticket/,
    );
  });

  it('a missing policy file or a misspelt key stops the deploy naming it', () => {
    expect(() => settingsModule.stageSettings('prod', stageDir('nope.yaml', {}))).toThrow(
      'tourniquet.prod.json: deploy.policyFile: nope.yaml does not exist',
    );
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-stage-'));
    writeFileSync(
      join(dir, 'tourniquet.prod.json'),
      JSON.stringify({ ...singleAccount, deploy: { policyfile: 'p.yaml' } }),
    );
    expect(() => settingsModule.stageSettings('prod', dir)).toThrow(
      /deploy\.policyfile: unknown key \(did you mean policyFile\?\)/,
    );
  });

  it('a policy too large for the Lambda environment stops the deploy with its size', () => {
    const rules = Array.from(
      { length: 60 },
      (_, i) =>
        `  - { name: rule-${i}, match: { type: "Execution:Runtime/Pattern${i}*" }, playbook: contain-pod, steps: [isolate-pod, open-ticket] }`,
    );
    const dir = stageDir('big.yaml', { 'big.yaml': `version: 1\nrules:\n${rules.join('\n')}\n` });
    expect(() => settingsModule.stageSettings('prod', dir)).toThrow(
      /deploy\.policyFile: big\.yaml is \d+ bytes without its descriptions and notes; triage's environment holds at most 2048/,
    );
  });
});
