import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IAMClient, ListRolesCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { FileIncidentStore, loadConfig, readEventInputs } from '@tourniquet/cli';
import { approveAll, invokedFunction, type LocalWorld, replay } from '@tourniquet/testkit';
import { buildSync } from 'esbuild';
import {
  FUNCTION_NAMES,
  type FunctionName,
  functionStatements,
  type ScopeContext,
} from '../infra/permissions';
import { outOfScopeAttempts } from './iam/outOfScope';
import {
  type AuthRequest,
  authRequests,
  type Environment,
  type RecordedCall,
  type ResourceFacts,
} from './iam/requests';
import { evaluate } from './iam/simulate';

/**
 * `npm run iam:verify`: least privilege, simulated. Replays every sample event (the same replay
 * as `npm start`, Security Hub sink included) with every AWS SDK call recorded and attributed
 * to the function that makes it; turns each call into the authorisation requests AWS makes
 * (scripts/iam/requests.ts) and evaluates each against that function's generated policy
 * (infra/permissions.ts) with an IAM evaluation engine. Then evaluates attempts outside
 * Tourniquet's scope, each of which must be denied. Exits 1 on any denied call or any allowed
 * out-of-scope attempt. The last line is the summary CI shows.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PARTITION_KEY = 'pk';

async function main(): Promise<number> {
  assertNotBundled();
  const calls: RecordedCall[] = [];
  restoreSend = recordSdkCalls(calls);
  const { config: sample } = await loadConfig(join(ROOT, 'tourniquet.config.json'), ROOT);
  // The hub's function policies are what is simulated here. A member account's calls run under
  // that member's roles, whose statements the same generator writes scoped to the member
  // (test/memberInfra.test.ts): the members and their findings are left out here.
  const { accounts: members = {}, ...hub } = sample;
  const config = { ...hub, clusters: sample.clusters.filter((c) => !(c.account in members)) };
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-iam-'));
  let world: LocalWorld | null = null;
  try {
    const store = await FileIncidentStore.open(join(dir, 'incidents.json'), { reset: true });
    const result = await replay({
      inputs: (await readEventInputs([join(ROOT, 'events')], ROOT)).filter(
        (input) => !('event' in input) || !(accountOf(input.event) in members),
      ),
      config,
      approver: approveAll,
      tickets: { sinks: ['local', 'securityhub'], store },
      keepWorld: true,
      onRecord: () => {},
      onRejected: (source, problem) => {
        throw new Error(`${source}: ${problem}`);
      },
    });
    world = result.world;
    if (!world) throw new Error('the replay returned no emulators');
    restoreSend();
    const env = await environment(world);
    const scope = scopeOf(world);
    const principal = (fn: string) =>
      `arn:${env.partition}:iam::${env.account}:role/${scope.ownRolePrefix}-${fn}`;

    let denied = 0;
    const seen = new Set<string>();
    const policies = new Set<string>();
    for (const call of calls) {
      if (!(FUNCTION_NAMES as readonly string[]).includes(call.function))
        throw new Error(`a call was recorded for ${call.function}, which is no deployed function`);
      const statements = functionStatements(call.function as FunctionName, scope);
      policies.add(call.function);
      for (const request of await authRequests(call, env, { dynamoPartitionKey: PARTITION_KEY })) {
        const key = `${call.function} ${request.action} ${request.resource} ${JSON.stringify(request.context)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const decision = await evaluate(principal(call.function), env.account, statements, request);
        if (decision !== 'Allowed') {
          denied++;
          console.log(`DENIED  ${call.function}: ${describe(request)} (${decision})`);
        }
      }
    }

    const actions = new Map<string, Set<string>>();
    for (const key of seen) {
      const [fn = '', action = ''] = key.split(' ');
      actions.set(fn, (actions.get(fn) ?? new Set()).add(action));
    }
    for (const [fn, names] of [...actions].sort())
      console.log(`${fn}: ${[...names].sort().join(', ')}`);
    const attempts = await outOfScopeAttempts(env, scope);
    let allowed = 0;
    for (const attempt of attempts) {
      const statements = functionStatements(attempt.function, scope);
      const decision = await evaluate(
        principal(attempt.function),
        env.account,
        statements,
        attempt.request,
      );
      if (decision === 'Allowed') {
        allowed++;
        console.log(`ALLOWED ${attempt.function}: ${attempt.what}: ${describe(attempt.request)}`);
      }
    }
    const ok = denied === 0 && allowed === 0;
    console.log(
      `iam: ${seen.size} calls simulated against ${policies.size} function policies, ${denied} denied; ${attempts.length} out-of-scope attempts, ${allowed === 0 ? 'all denied' : `${allowed} allowed`}`,
    );
    return ok ? 0 : 1;
  } finally {
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

let restoreSend = () => {};

function describe(r: AuthRequest): string {
  const context = Object.entries(r.context)
    .filter(([k]) => k !== 'aws:RequestedRegion' && k !== 'ec2:Region')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : v}`);
  return `${r.action} on ${r.resource}${context.length ? ` [${context.join(', ')}]` : ''} in ${r.context['aws:RequestedRegion']}`;
}

/**
 * Wraps the SDK's shared `Client.prototype.send` (every v3 client inherits it) to record each
 * call made while a function runs (the local runtime marks which one, see invokedFunction).
 */
function recordSdkCalls(calls: RecordedCall[]): () => void {
  const prototypes = new Set(
    [EC2Client, IAMClient, AutoScalingClient].map((c) => Object.getPrototypeOf(c.prototype)),
  );
  const restore: Array<() => void> = [];
  for (const proto of prototypes) {
    const original = proto.send;
    proto.send = async function (
      this: { config: { serviceId: string; region: () => Promise<string> } },
      command: { input?: Record<string, unknown> },
      ...rest: unknown[]
    ) {
      const fn = invokedFunction();
      if (!fn) return original.call(this, command, ...rest);
      const output = await original.call(this, command, ...rest);
      calls.push({
        function: fn,
        service: this.config.serviceId,
        operation: command.constructor.name.replace(/Command$/, ''),
        region: await this.config.region(),
        input: command.input ?? {},
        output: (output as Record<string, unknown> | undefined) ?? null,
      });
      return output;
    };
    restore.push(() => {
      proto.send = original;
    });
  }
  return () => {
    for (const r of restore) r();
  };
}

/** What AWS knows about each resource the calls touch: VPC, tags, ARN parts, read from moto. */
async function environment(world: LocalWorld): Promise<Environment> {
  const facts = new Map<string, ResourceFacts>();
  const account = world.seeded.clusters[0]?.config.account ?? '111122223333';
  const partition = 'aws';
  const vpcArn = (region: string, vpc: string | undefined) =>
    vpc ? `arn:${partition}:ec2:${region}:${account}:vpc/${vpc}` : undefined;
  const tagsOf = (tags: Array<{ Key?: string; Value?: string }> | undefined) =>
    Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const regions = [...new Set(world.config.clusters.map((c) => c.region))];
  for (const region of regions) {
    const aws = world.aws(region);
    const { Reservations = [] } = await aws.ec2.send(new DescribeInstancesCommand({}));
    for (const i of Reservations.flatMap((r) => r.Instances ?? []))
      facts.set(i.InstanceId as string, { vpc: vpcArn(region, i.VpcId), tags: tagsOf(i.Tags) });
    const { NetworkInterfaces = [] } = await aws.ec2.send(new DescribeNetworkInterfacesCommand({}));
    for (const e of NetworkInterfaces)
      facts.set(e.NetworkInterfaceId as string, {
        vpc: vpcArn(region, e.VpcId),
        tags: tagsOf(e.TagSet),
      });
    const { SecurityGroups = [] } = await aws.ec2.send(new DescribeSecurityGroupsCommand({}));
    for (const g of SecurityGroups)
      facts.set(g.GroupId as string, { vpc: vpcArn(region, g.VpcId), tags: tagsOf(g.Tags) });
    const { Volumes = [] } = await aws.ec2.send(new DescribeVolumesCommand({}));
    for (const v of Volumes) facts.set(v.VolumeId as string, { tags: tagsOf(v.Tags) });
    const { Vpcs = [] } = await aws.ec2.send(new DescribeVpcsCommand({}));
    for (const v of Vpcs) facts.set(v.VpcId as string, { tags: tagsOf(v.Tags) });
    const { AutoScalingGroups = [] } = await aws.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({}),
    );
    for (const g of AutoScalingGroups) {
      const groupId = /autoScalingGroup:([^:]+):/.exec(g.AutoScalingGroupARN ?? '')?.[1] ?? '';
      facts.set(g.AutoScalingGroupName as string, {
        tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        vars: { GroupId: groupId },
      });
    }
  }
  const iam = world.aws(regions[0] ?? 'us-east-1').iam;
  const { Roles = [] } = await iam.send(new ListRolesCommand({}));
  for (const role of Roles) {
    const { Tags = [] } = await iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName }));
    facts.set(role.RoleName as string, {
      tags: tagsOf(Tags),
      vars: { RoleNameWithPath: `${(role.Path ?? '/').slice(1)}${role.RoleName}` },
    });
  }
  return { partition, account, facts };
}

/** The generated policies' inputs for the replay's world: its account, regions and clusters. */
function scopeOf(world: LocalWorld): ScopeContext {
  const clusters = world.config.clusters;
  const account = clusters[0]?.account ?? '111122223333';
  const region = 'us-east-1';
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${account}:${resource}`;
  return {
    partition: 'aws',
    account,
    region,
    clusters,
    tables: {
      incidents: arn('dynamodb', 'table/tourniquet-local-incidents'),
      approvals: arn('dynamodb', 'table/tourniquet-local-approvals'),
    },
    stateMachines: ['contain-pod', 'contain-node', 'revoke-identity', 'release'].map((m) =>
      arn('states', `stateMachine:tourniquet-local-${m}`),
    ),
    keys: {
      approvalsTable: arn('kms', 'key/00000000-0000-0000-0000-000000000001'),
      taskTokens: arn('kms', 'key/00000000-0000-0000-0000-000000000002'),
    },
    secrets: {
      slack: [arn('secretsmanager', 'secret:tourniquet/local/slack-AbCdEf')],
      tickets: [],
    },
    ownRolePrefix: 'tourniquet-local',
    deadLetterQueue: arn('sqs', 'tourniquet-local-triage-dlq'),
  };
}

/**
 * The simulation engine is AGPL-3.0: it may run here, never ship. Bundles every function entry
 * as infra/functionCode.ts does and fails if any input comes from @cloud-copilot.
 */
function assertNotBundled(): void {
  const entries = [
    ...readdirSync(join(ROOT, 'functions'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `functions/${f}`),
    ...readdirSync(join(ROOT, 'functions/actions')).map((f) => `functions/actions/${f}`),
  ];
  const result = buildSync({
    entryPoints: entries.map((e) => join(ROOT, e)),
    outdir: join(tmpdir(), 'tourniquet-iam-bundle-check'),
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'silent',
  });
  const leaked = Object.keys(result.metafile.inputs).filter((p) => p.includes('@cloud-copilot'));
  if (leaked.length > 0)
    throw new Error(`function bundles include AGPL code: ${leaked.slice(0, 3).join(', ')}`);
  // Nothing the functions are built from may import it either (a lazy import would not show).
  for (const p of [
    'package.json',
    ...readdirSync(join(ROOT, 'packages')).map((p) => `packages/${p}/package.json`),
  ]) {
    const pkg = JSON.parse(readFileSync(join(ROOT, p), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    if (Object.keys(pkg.dependencies ?? {}).some((d) => d.startsWith('@cloud-copilot/')))
      throw new Error(`${p}: @cloud-copilot packages may only be devDependencies`);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    restoreSend();
    console.error(`iam: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);

/** The account a finding is about (GuardDuty's detail names it; the envelope is the hub's). */
function accountOf(event: unknown): string {
  const e = (event ?? {}) as { account?: unknown; detail?: { accountId?: unknown } };
  const id = e.detail?.accountId ?? e.account;
  return typeof id === 'string' ? id : '';
}
