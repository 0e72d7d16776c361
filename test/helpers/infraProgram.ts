import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseApprovalSettings } from '@tourniquet/slack';
import { REPO_ROOT } from './events';
import type { RecordedResource } from './infraChecks';

export const INFRA_ACCOUNT = '111122223333';
export const INFRA_REGION = 'us-east-1';

function arnFor(type: string, name: string): string {
  const service = type.split(':')[1]?.split('/')[0] ?? 'unknown';
  if (type === 'aws:lambda/function:Function')
    return `arn:aws:lambda:${INFRA_REGION}:${INFRA_ACCOUNT}:function:${name}`;
  if (type === 'aws:sfn/stateMachine:StateMachine')
    return `arn:aws:states:${INFRA_REGION}:${INFRA_ACCOUNT}:stateMachine:${name}`;
  if (type === 'aws:iam/role:Role') return `arn:aws:iam::${INFRA_ACCOUNT}:role/${name}`;
  if (type === 'aws:sqs/queue:Queue') return `arn:aws:sqs:${INFRA_REGION}:${INFRA_ACCOUNT}:${name}`;
  if (type === 'aws:dynamodb/table:Table')
    return `arn:aws:dynamodb:${INFRA_REGION}:${INFRA_ACCOUNT}:table/${name}`;
  return `arn:aws:${service}:${INFRA_REGION}:${INFRA_ACCOUNT}:${name}`;
}

/**
 * Evaluates the SST program of stage `test` offline with Pulumi's runtime mocks (as
 * test/infra.test.ts does) and returns every resource it would create with its inputs
 * resolved. The platform packages come from `.sst/platform` (the offline `sst install`).
 */
export async function evaluateInfra(): Promise<{
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
}> {
  const platform = createRequire(join(REPO_ROOT, '.sst', 'platform', 'package.json'));
  const pulumi = platform('@pulumi/pulumi');
  const resources: RecordedResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args: { type: string; name: string; inputs: Record<string, any> }) {
        const name = args.inputs.name ?? args.name;
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = {
          ...args.inputs,
          name,
          arn: arnFor(args.type, name),
        };
        if (args.type === 'aws:sqs/queue:Queue')
          state.url = `https://sqs.${INFRA_REGION}.amazonaws.com/${INFRA_ACCOUNT}/${name}`;
        if (args.type === 'aws:lambda/functionUrl:FunctionUrl')
          state.functionUrl = 'https://example.lambda-url.us-east-1.on.aws/';
        return { id: `${name}-id`, state };
      },
      call(args: { token: string; inputs: Record<string, unknown> }) {
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity')
          return {
            accountId: INFRA_ACCOUNT,
            arn: `arn:aws:iam::${INFRA_ACCOUNT}:user/d`,
            userId: 'A',
          };
        if (args.token === 'aws:index/getRegion:getRegion')
          return { name: INFRA_REGION, region: INFRA_REGION, id: INFRA_REGION };
        if (args.token === 'aws:index/getPartition:getPartition')
          return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
        if (args.token === 'aws:eks/getCluster:getCluster')
          return { ...args.inputs, accessConfigs: [{ authenticationMode: 'API_AND_CONFIG_MAP' }] };
        return args.inputs;
      },
    },
    'tourniquet',
    'test',
    false,
  );
  const g = globalThis as any;
  g.aws = platform('@pulumi/aws');
  g.$util = pulumi;
  g.$interpolate = pulumi.interpolate;
  g.$jsonStringify = pulumi.jsonStringify;
  g.$app = { name: 'tourniquet', stage: 'test' };
  g.sst = {
    Secret: class {
      value: unknown;
      constructor(
        readonly name: string,
        placeholder?: string,
      ) {
        this.value = pulumi.secret(placeholder ?? `<${name}>`);
      }
    },
  };
  process.env.TOURNIQUET_INFRA_BUNDLE = '0';
  const { stageSettings } = await import(pathToFileURL(join(REPO_ROOT, 'infra/settings.ts')).href);
  const { tourniquet } = await import(pathToFileURL(join(REPO_ROOT, 'infra/index.ts')).href);
  const outputs = await tourniquet({
    ...stageSettings('test', REPO_ROOT, 'tourniquet.config.json'),
    approvals: parseApprovalSettings({
      slack: { channel: 'C0INCIDENTS', teamId: 'T0TOURNIQ01', approverUserIds: ['U0ONCALL001'] },
    }),
  });
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs as Record<string, unknown>))
    resolved[key] = await new Promise((r) => pulumi.output(value).apply(r));
  // Let the remaining registrations settle.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return { resources, outputs: resolved };
}
