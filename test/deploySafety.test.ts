import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/events';
import { installPulumiMocks, pulumi } from './helpers/pulumiMocks';

/**
 * Deploy safety, with the SST program evaluated offline under Pulumi's runtime mocks (as in
 * test/infra.test.ts): the `deploy` block is validated strictly, a stage needs its own file,
 * the data survives removal unless the config opts out, and access entries are only created
 * on clusters whose authentication mode has them.
 */
const ACCOUNT = '111122223333';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider: string;
  retainOnDelete: boolean | undefined;
}
const registered: Registered[] = [];
/** What DescribeCluster answers per cluster name: its accessConfig.authenticationMode. */
const authenticationModes = new Map<string, string | undefined>();
const describedClusters: Array<{ name: string; provider: string | undefined }> = [];

// Imported by path, untyped: infra/ type-checks against SST's platform types
// (tsconfig.infra.json), not in the project's own program.
let settingsModule: any;
let deploySettings: any;
let index: any;
let storageModule: any;

const sample = JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8'));

function stageDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-stage-'));
  for (const [name, document] of Object.entries(files))
    writeFileSync(join(dir, name), JSON.stringify(document));
  return dir;
}

beforeAll(async () => {
  const mocks = installPulumiMocks({
    account: () => ACCOUNT,
    region: 'us-east-1',
    stage: 'prod',
    getCluster(inputs, provider) {
      const name = inputs.name as string;
      describedClusters.push({ name, provider });
      if (!authenticationModes.has(name))
        throw new Error(`ResourceNotFoundException: No cluster found for name: ${name}.`);
      const mode = authenticationModes.get(name);
      return { ...inputs, accessConfigs: mode === undefined ? [] : [{ authenticationMode: mode }] };
    },
  });
  // The mocks do not pass resource options on; the monitor's requests carry them, as they
  // would reach the Pulumi engine.
  const monitor = pulumi.runtime.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: any) => {
    registered.push({
      type: request.getType(),
      name: request.getName(),
      inputs: {},
      provider: request.getProvider(),
      retainOnDelete: request.hasRetainondelete() ? request.getRetainondelete() : undefined,
    });
    return register(request, callback);
  };
  const load = mocks.load;
  settingsModule = await load('infra/settings.ts');
  deploySettings = await load('infra/deploySettings.ts');
  index = await load('infra/index.ts');
  storageModule = await load('infra/storage.ts');
}, 120_000);

beforeEach(() => {
  registered.length = 0;
  describedClusters.length = 0;
  authenticationModes.clear();
});

async function settled() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('Deploy settings: the deploy block is validated strictly', () => {
  it('approvalTimeoutSeconds written as text is an error naming the key, not NaN', () => {
    expect(() =>
      deploySettings.parseDeploySettings({ approvalTimeoutSeconds: 'fifteen minutes' }),
    ).toThrow(
      'deploy.approvalTimeoutSeconds: expected a whole number of seconds from 60 to 86400 (got "fifteen minutes")',
    );
    expect(() => deploySettings.parseDeploySettings({ approvalTimeoutSeconds: 0 })).toThrow(
      /deploy\.approvalTimeoutSeconds: expected a whole number/,
    );
  });

  it('a misspelt key is rejected with the key it probably meant', () => {
    expect(() => deploySettings.parseDeploySettings({ approvalTimeout: 600 })).toThrow(
      /deploy\.approvalTimeout: unknown key \(did you mean approvalTimeoutSeconds\?\)/,
    );
    expect(() => deploySettings.parseDeploySettings({ alarmEmial: 'a@example.com' })).toThrow(
      /deploy\.alarmEmial: unknown key \(did you mean alarmEmail\?\)/,
    );
    expect(() => deploySettings.parseDeploySettings({ colour: 'red' })).toThrow(
      /deploy\.colour: unknown key; known keys: account, region, approvalTimeoutSeconds/,
    );
  });

  it('reports every problem at once, each with its key and type', () => {
    expect(() =>
      deploySettings.parseDeploySettings({
        account: 111122223333,
        retainData: 'no',
        accessEntries: 1,
        reservedConcurrency: { actions: 0 },
      }),
    ).toThrow(
      [
        'deploy.account: expected a 12-digit AWS account id as a string (got 111122223333)',
        'deploy.reservedConcurrency.actions: expected an integer from 1 to 1000, or null for none (got 0)',
        'deploy.retainData: expected true or false (got "no")',
        'deploy.accessEntries: expected true or false (got 1)',
      ].join('; '),
    );
  });

  it('defaults: 900 s approvals, data retained, access entries created', () => {
    expect(deploySettings.parseDeploySettings(undefined)).toEqual({
      account: null,
      region: null,
      approvalTimeoutSeconds: 900,
      alarmEmail: null,
      reservedConcurrency: { slackInteractions: 10, actions: 10 },
      retainData: true,
      accessEntries: true,
      role: 'hub',
      policyFile: null,
    });
  });

  it('a stage file with a bad deploy key stops, naming the file and the key', () => {
    const dir = stageDir({
      'tourniquet.prod.json': { ...sample, deploy: { approvalTimeoutSeconds: 'fifteen minutes' } },
    });
    expect(() => settingsModule.stageSettings('prod', dir)).toThrow(
      /^tourniquet\.prod\.json: deploy\.approvalTimeoutSeconds: expected a whole number/,
    );
  });
});

describe('Deploy settings: a stage needs its own configuration file', () => {
  it('a stage typo stops with an error instead of deploying the sample configuration', () => {
    const dir = stageDir({
      'tourniquet.config.json': sample,
      'tourniquet.production.json': sample,
      'tourniquet.staging.json': sample,
    });
    expect(() => settingsModule.stageSettings('prodution', dir)).toThrow(
      'no configuration for stage prodution: tourniquet.prodution.json does not exist (did you mean --stage production?). Create tourniquet.prodution.json (see docs/deploy.md); stages configured here: production, staging. The sample tourniquet.config.json is never deployed.',
    );
    expect(settingsModule.hasStageFile('prodution', dir)).toBe(false);
    expect(settingsModule.stageSettings('production', dir).account).toBe(ACCOUNT);
  });

  it('a stage file that is not JSON names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-stage-'));
    writeFileSync(join(dir, 'tourniquet.prod.json'), '{"clusters": [');
    expect(() => settingsModule.stageSettings('prod', dir)).toThrow(/^tourniquet\.prod\.json: /);
  });
});

describe('Deploy: incident and approval data survive removal', () => {
  it('retains the tables and the approvals table key in every stage by default (stage prod, not only production)', async () => {
    authenticationModes.set('prod-eks-01', 'API_AND_CONFIG_MAP');
    authenticationModes.set('staging-eks-02', 'API');
    const dir = stageDir({ 'tourniquet.prod.json': sample });
    const settings = settingsModule.stageSettings('prod', dir);
    expect(settings.retainData).toBe(true);
    await index.tourniquet(settings);
    await settled();
    const retained = (name: string) => registered.find((r) => r.name === name)?.retainOnDelete;
    expect(retained('Incidents')).toBe(true);
    expect(retained('Approvals')).toBe(true);
    expect(retained('ApprovalsTableKey')).toBe(true);
    // Nothing else is kept behind: functions, roles and rules go with the stage.
    expect(
      registered
        .filter((r) => r.retainOnDelete)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['Approvals', 'ApprovalsTableKey', 'Incidents']);
  });

  it('removes them when the config opts out with deploy.retainData: false', async () => {
    const dir = stageDir({ 'tourniquet.dev.json': { ...sample, deploy: { retainData: false } } });
    expect(settingsModule.stageSettings('dev', dir).retainData).toBe(false);
    storageModule.storage(false);
    await settled();
    const retained = (name: string) => registered.find((r) => r.name === name)?.retainOnDelete;
    expect(retained('Incidents')).toBe(false);
    expect(retained('Approvals')).toBe(false);
  });
});

describe('Deploy: EKS access entries only where the authentication mode has them', () => {
  it("creates the entries in each cluster's own region once both clusters allow them", async () => {
    authenticationModes.set('prod-eks-01', 'API');
    authenticationModes.set('staging-eks-02', 'API_AND_CONFIG_MAP');
    const settings = settingsModule.stageSettings('test', REPO_ROOT, 'tourniquet.config.json');
    await index.tourniquet(settings);
    await settled();
    expect(describedClusters.map((c) => c.name).sort()).toEqual(['prod-eks-01', 'staging-eks-02']);
    // DescribeCluster of the us-west-2 cluster goes through that region's provider.
    expect(describedClusters.find((c) => c.name === 'staging-eks-02')?.provider).toContain(
      'Region-us-west-2',
    );
    const entries = registered.filter((r) => r.type === 'aws:eks/accessEntry:AccessEntry');
    const staging = entries.filter((e) => e.name.startsWith('staging-eks-02-'));
    const prod = entries.filter((e) => e.name.startsWith('prod-eks-01-'));
    expect(staging.length).toBeGreaterThan(0);
    expect(staging.length).toBe(prod.length);
    expect(staging.every((e) => e.provider.includes('Region-us-west-2'))).toBe(true);
    expect(prod.every((e) => !e.provider.includes('Region-'))).toBe(true);
  });

  it('stops before creating anything when a cluster is on CONFIG_MAP, naming it and the fix', async () => {
    authenticationModes.set('prod-eks-01', 'CONFIG_MAP');
    authenticationModes.set('staging-eks-02', 'API');
    const settings = settingsModule.stageSettings('test', REPO_ROOT, 'tourniquet.config.json');
    await expect(index.tourniquet(settings)).rejects.toThrow(
      'cluster prod-eks-01 (us-east-1) uses authentication mode CONFIG_MAP, which has no access entries: enable them with `aws eks update-cluster-config --name prod-eks-01 --region us-east-1 --access-config authenticationMode=API_AND_CONFIG_MAP`',
    );
    await settled();
    expect(registered.filter((r) => !r.type.startsWith('pulumi:providers:'))).toEqual([]);
  });

  it('a cluster without an access configuration is on the API default, CONFIG_MAP; an unreadable one is named', async () => {
    authenticationModes.set('prod-eks-01', undefined);
    const settings = settingsModule.stageSettings('test', REPO_ROOT, 'tourniquet.config.json');
    const failure = index.tourniquet(settings);
    await expect(failure).rejects.toThrow(
      /cluster prod-eks-01 \(us-east-1\) uses authentication mode CONFIG_MAP/,
    );
    await expect(failure).rejects.toThrow(
      /cannot read cluster staging-eks-02 \(us-west-2\) to check its authentication mode/,
    );
  });

  it('deploy.accessEntries: false deploys without entries and without reading the clusters', async () => {
    authenticationModes.set('prod-eks-01', 'CONFIG_MAP');
    const settings = settingsModule.stageSettings('test', REPO_ROOT, 'tourniquet.config.json');
    await index.tourniquet({ ...settings, accessEntries: false });
    await settled();
    expect(describedClusters).toEqual([]);
    expect(registered.filter((r) => r.type === 'aws:eks/accessEntry:AccessEntry')).toEqual([]);
    expect(registered.some((r) => r.type === 'aws:lambda/function:Function')).toBe(true);
  });
});
