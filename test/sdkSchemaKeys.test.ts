import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleFunction, FUNCTION_BUILD, literalSchemaKeys, sdkSchemaKeys } from '../infra/bundle';
import { REPO_ROOT } from './helpers/events';
import { useMoto } from './helpers/moto';

const OUT = join(REPO_ROOT, '.build', 'test', 'schemaKeys');
const require = createRequire(join(REPO_ROOT, 'package.json'));

/** The schema module of every AWS SDK client the project installs. */
function schemaModules(): Array<{ client: string; file: string }> {
  const sdk = dirname(dirname(require.resolve('@aws-sdk/client-ec2/package.json')));
  return readdirSync(sdk)
    .filter((d) => d.startsWith('client-'))
    .map((client) => ({ client, file: join(sdk, client, 'dist-es', 'schemas', 'schemas_0.js') }));
}

/** `file` bundled on its own (every export kept), with or without the rewrite, then imported. */
async function loaded(file: string, name: string, rewrite: boolean) {
  const outfile = join(OUT, `${name}-${rewrite ? 'literal' : 'computed'}.mjs`);
  await build({
    ...FUNCTION_BUILD,
    minify: false,
    entryPoints: [file],
    outfile,
    plugins: rewrite ? [sdkSchemaKeys] : [],
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
}

/**
 * Walks two schema graphs side by side: arrays and objects key by key in order, maps entry by
 * entry, thunks (`() => Shape$`) by what they return, classes by name. Returns the first path
 * where they differ, or null.
 */
function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
  seen = new WeakSet<object>(),
): string | null {
  if (typeof a === 'function' && typeof b === 'function') {
    if (a.prototype || b.prototype)
      return a.name === b.name ? null : `${path}: class ${a.name} ≠ ${b.name}`;
    return firstDifference(a(), b(), `${path}()`, seen);
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return Object.is(a, b) ? null : `${path}: ${String(a)} ≠ ${String(b)}`;
  }
  if (seen.has(a)) return null;
  seen.add(a);
  if (a instanceof Map && b instanceof Map) {
    return firstDifference([...a], [...b], `${path}<map>`, seen);
  }
  const keysA = Reflect.ownKeys(a).map(String);
  const keysB = Reflect.ownKeys(b).map(String);
  if (keysA.join('\u0000') !== keysB.join('\u0000')) {
    return `${path}: keys [${keysA.join(', ')}] ≠ [${keysB.join(', ')}]`;
  }
  for (const key of keysA) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
      seen,
    );
    if (found) return found;
  }
  return null;
}

describe('AWS SDK schema modules with literal keys (infra/bundle.ts)', () => {
  it('writes a computed key naming a string constant as that string, and nothing else', () => {
    const source = [
      'const _xN = "xmlName";',
      'const _e = "error";',
      'let other = "x";',
      'export var A$ = [3, n0, _A, { [_xN]: _it }, [_a, _b], [0, [1, { [_e]: _c, [other]: 1 }]]];',
      'export var B$ = flag ? x[_xN] : y;',
      'export var C$ = { [_unknown]: 1 };',
    ].join('\n');
    const { text, replaced } = literalSchemaKeys(source);
    expect(replaced).toBe(2);
    expect(text).toContain(
      '[3, n0, _A, { "xmlName": _it }, [_a, _b], [0, [1, { "error": _c, [other]: 1 }]]]',
    );
    expect(text).toContain('flag ? x[_xN] : y');
    expect(text).toContain('{ [_unknown]: 1 }');
  });

  it('every installed client: the rewritten module exports the same shapes, traits and errors', async () => {
    const modules = schemaModules();
    expect(modules.map((m) => m.client)).toContain('client-ec2');
    for (const { client, file } of modules) {
      const { replaced } = literalSchemaKeys(readFileSync(file, 'utf8'));
      const [computed, literal] = [
        await loaded(file, client, false),
        await loaded(file, client, true),
      ];
      expect(Object.keys(literal), client).toEqual(Object.keys(computed));
      expect(Object.keys(computed).length, client).toBeGreaterThan(0);
      expect(firstDifference(computed, literal, client), client).toBeNull();
      // Each client's module writes trait objects with computed keys; all of them are rewritten.
      expect(replaced, client).toBeGreaterThan(0);
      expect(literalSchemaKeys(literalSchemaKeys(readFileSync(file, 'utf8')).text).replaced).toBe(
        0,
      );
    }
  }, 120_000);

  it('a function constructing EC2Client no longer carries the shapes of operations it never sends', async () => {
    mkdirSync(OUT, { recursive: true });
    const entry = join(OUT, 'bareEc2.ts');
    writeFileSync(
      entry,
      "import { EC2Client } from '@aws-sdk/client-ec2';\nexport const handler = () => new EC2Client({});\n",
    );
    const { files } = await bundleFunction({ entry, outfile: join(OUT, 'bareEc2.mjs') });
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    // A shape of RunInstances nobody here sends, and one the rewritten module keeps only if used.
    expect(text).not.toContain('"AcceleratorCount"');
    expect(text).not.toContain('"RunInstancesUserData"');
    const unrewritten = await build({
      ...FUNCTION_BUILD,
      entryPoints: [entry],
      write: false,
      outfile: join(OUT, 'bareEc2-computed.mjs'),
    });
    expect(unrewritten.outputFiles[0]?.text).toContain('"AcceleratorCount"');
  });

  describe('a bundled EC2 client answers as the unbundled one does, against moto', () => {
    const moto = useMoto();

    it('creates, authorizes and describes a security group with the same results', async () => {
      mkdirSync(OUT, { recursive: true });
      const entry = join(OUT, 'ec2Probe.ts');
      writeFileSync(
        entry,
        `import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
export { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand, DescribeSecurityGroupsCommand, EC2Client };
`,
      );
      const outfile = join(OUT, 'ec2Probe.mjs');
      await bundleFunction({ entry, outfile });
      const bundled = await import(pathToFileURL(outfile).href);
      const unbundled = {
        AuthorizeSecurityGroupIngressCommand,
        CreateSecurityGroupCommand,
        CreateVpcCommand,
        DescribeSecurityGroupsCommand,
        EC2Client,
      };
      const run = async (sdk: typeof unbundled, label: string) => {
        const { endpoint, region, credentials } = moto();
        const ec2 = new sdk.EC2Client({ endpoint, region, credentials });
        const vpc = await ec2.send(new sdk.CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
        const group = await ec2.send(
          new sdk.CreateSecurityGroupCommand({
            GroupName: `probe-${label}`,
            Description: 'probe',
            VpcId: vpc.Vpc?.VpcId,
            TagSpecifications: [
              { ResourceType: 'security-group', Tags: [{ Key: 'probe', Value: label }] },
            ],
          }),
        );
        await ec2.send(
          new sdk.AuthorizeSecurityGroupIngressCommand({
            GroupId: group.GroupId,
            IpPermissions: [
              {
                IpProtocol: 'tcp',
                FromPort: 443,
                ToPort: 443,
                IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'in' }],
              },
            ],
          }),
        );
        const { SecurityGroups } = await ec2.send(
          new sdk.DescribeSecurityGroupsCommand({
            Filters: [{ Name: 'tag:probe', Values: [label] }],
          }),
        );
        // Ids differ between the two runs; everything else the SDK parsed must not.
        return JSON.parse(
          JSON.stringify(SecurityGroups)
            .replaceAll(group.GroupId as string, '<group>')
            .replaceAll(vpc.Vpc?.VpcId as string, '<vpc>')
            .replaceAll(label, '<label>')
            .replace(/"sgr-[0-9a-f]+"/g, '"<rule>"'),
        );
      };
      const fromSource = await run(unbundled, 'source');
      const fromBundle = await run(bundled, 'bundle');
      expect(fromSource).toHaveLength(1);
      expect(fromSource[0].IpPermissions[0].IpRanges).toEqual([
        { CidrIp: '10.0.0.0/8', Description: 'in' },
      ]);
      expect(fromSource[0].Tags).toEqual([{ Key: 'probe', Value: '<label>' }]);
      expect(fromBundle).toEqual(fromSource);
    });
  });
});
