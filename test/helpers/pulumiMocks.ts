import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './events';
import type { RecordedResource } from './infraChecks';

/**
 * The SST program evaluated offline under Pulumi's runtime mocks: every resource it would
 * create is recorded with its inputs, the provider calls the program makes (caller identity,
 * region, partition, DescribeCluster) are answered, and SST's globals are set as `sst deploy`
 * sets them. The platform packages come from `.sst/platform` (the offline `sst install`).
 */
const platform = createRequire(join(REPO_ROOT, '.sst', 'platform', 'package.json'));
export const pulumi: any = platform('@pulumi/pulumi');

export interface PulumiMockOptions {
  /** The deploying account; read on every call, so a test can switch it between programs. */
  account: () => string;
  region: string;
  stage: string;
  /** What `aws.eks.getCluster` answers; default: authentication mode API_AND_CONFIG_MAP. */
  getCluster?: (inputs: Record<string, unknown>, provider?: string) => Record<string, unknown>;
}

export interface PulumiMocks {
  resources: RecordedResource[];
  /** Names of the `sst.Secret`s the program declared. */
  secretNames: string[];
  /** Imports a repository file by path (infra/ type-checks against SST's types, not ours). */
  load(file: string): Promise<any>;
}

function arnFor(type: string, name: string, account: string, region: string): string {
  if (type === 'aws:lambda/function:Function')
    return `arn:aws:lambda:${region}:${account}:function:${name}`;
  if (type === 'aws:sfn/stateMachine:StateMachine')
    return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
  if (type === 'aws:iam/role:Role') return `arn:aws:iam::${account}:role/${name}`;
  if (type === 'aws:sqs/queue:Queue') return `arn:aws:sqs:${region}:${account}:${name}`;
  if (type === 'aws:dynamodb/table:Table')
    return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
  if (type === 'aws:secretsmanager/secret:Secret')
    return `arn:aws:secretsmanager:${region}:${account}:secret:${name}`;
  const service = type.split(':')[1]?.split('/')[0] ?? 'unknown';
  return `arn:aws:${service}:${region}:${account}:${name}`;
}

const defaultCluster = (inputs: Record<string, unknown>) => ({
  ...inputs,
  accessConfigs: [{ authenticationMode: 'API_AND_CONFIG_MAP' }],
});

export function installPulumiMocks(options: PulumiMockOptions): PulumiMocks {
  const { region, stage } = options;
  const resources: RecordedResource[] = [];
  const secretNames: string[] = [];
  const getCluster = options.getCluster ?? defaultCluster;
  pulumi.runtime.setMocks(
    {
      newResource(args: {
        type: string;
        name: string;
        inputs: Record<string, any>;
        provider?: string;
      }) {
        const account = options.account();
        const name = args.inputs.name ?? args.name;
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          id: `${name}-id`,
          provider: args.provider,
          account,
        });
        const state: Record<string, unknown> = {
          ...args.inputs,
          name,
          arn: arnFor(args.type, name, account, region),
        };
        if (args.type === 'aws:sqs/queue:Queue')
          state.url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
        if (args.type === 'aws:lambda/functionUrl:FunctionUrl')
          state.functionUrl = `https://example.lambda-url.${region}.on.aws/`;
        return { id: `${name}-id`, state };
      },
      call(args: { token: string; inputs: Record<string, unknown>; provider?: string }) {
        const account = options.account();
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity')
          return { accountId: account, arn: `arn:aws:iam::${account}:user/deployer`, userId: 'A' };
        if (args.token === 'aws:index/getRegion:getRegion')
          return { name: region, region, id: region };
        if (args.token === 'aws:index/getPartition:getPartition')
          return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
        if (args.token === 'aws:eks/getCluster:getCluster')
          return getCluster(args.inputs, args.provider);
        return args.inputs;
      },
    },
    'tourniquet',
    stage,
    false,
  );
  const g = globalThis as any;
  g.aws = platform('@pulumi/aws');
  g.$util = pulumi;
  g.$interpolate = pulumi.interpolate;
  g.$jsonStringify = pulumi.jsonStringify;
  g.$app = { name: 'tourniquet', stage };
  // sst.Secret needs SST's CLI; offline it is a secret output holding a recognisable value.
  g.sst = {
    Secret: class {
      value: unknown;
      constructor(
        readonly name: string,
        placeholder?: string,
      ) {
        secretNames.push(name);
        this.value = pulumi.secret(placeholder ?? `<${name}>`);
      }
    },
  };
  process.env.TOURNIQUET_INFRA_BUNDLE = '0';
  return {
    resources,
    secretNames,
    load: (file) => import(pathToFileURL(join(REPO_ROOT, file)).href),
  };
}

/** The value of a Pulumi output, once it resolves. */
export function resolved<T>(output: unknown): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v: T) => resolve(v)));
}
