import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import type { MotoServer, StartMotoOptions } from './moto';
import { MotoNotCopyableError } from './motoErrors';

/**
 * Templates: for a process that starts many moto servers (a test worker), each kind of server is
 * started once and kept, and every server asked for after that is a copy of it (a fork of its
 * process, see moto.ts). A kind is a moto command with its options and environment; a seeded
 * kind also names what was seeded into it (a local world's scenario). A copy starts from the
 * template's state as it was when seeded and shares nothing with the template or other copies.
 *
 * Importing moto costs a second or two of CPU and seeding a scenario several more; a copy costs
 * milliseconds. Templates stay until the process exits (they end with it, like every server
 * here), so this is off unless the process asks for it: a CLI run starts one world and exits.
 */
let templates: Map<string, Promise<{ moto: MotoServer; value: unknown }>> | null = null;

/** From now on in this process, moto servers are copies of templates. */
export function useMotoTemplates(): void {
  templates ??= new Map();
}

/** The environment a moto process sees that can change what it answers. */
function motoEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => /^(MOTO_|AWS_|TOURNIQUET_)/.test(name)),
  );
}

/**
 * A copy of the template of this kind, `start`ing the template the first time. `start` runs
 * without templates; null when templates are not in use (the caller starts its own server).
 */
export function templateFor(
  command: string,
  options: StartMotoOptions,
  start: () => Promise<MotoServer>,
): Promise<MotoServer> | null {
  if (!templates) return null;
  const { readyTimeoutMs: _patience, ...kind } = options;
  return copyOf(JSON.stringify(['moto', command, kind, motoEnvironment()]), async () => ({
    moto: await warmedUp(await start()),
    value: null,
  })).then(({ moto }) => moto);
}

/**
 * moto loads a service's model and builds its backend on the first request that needs them:
 * about 2 s of CPU for EC2 (the service model, instance types, AMIs), tenths of a second for the
 * others. A template answers one request of each service the project calls, so that every copy
 * starts with them loaded instead of paying again; what they build (EC2's default VPC, IAM's
 * managed policies) is what the first request of any copy would have built.
 */
async function warmedUp(moto: MotoServer): Promise<MotoServer> {
  // Any credentials do for moto; these requests only load what it loads on first use.
  const credentials = { accessKeyId: 'warm-up', secretAccessKey: 'warm-up' };
  const client = { endpoint: moto.endpoint, region: 'us-east-1', credentials };
  const ec2 = new EC2Client(client);
  const eks = new EKSClient(client);
  const iam = new IAMClient(client);
  const dynamo = new DynamoDBClient(client);
  // Best effort: a server that does not answer these (a stand-in) is used as it is.
  await Promise.allSettled([
    ec2.send(new DescribeInstancesCommand({})),
    eks.send(new ListClustersCommand({})),
    iam.send(new ListRolesCommand({})),
    dynamo.send(new ListTablesCommand({})),
  ]);
  for (const c of [ec2, eks, iam, dynamo]) c.destroy();
  return moto;
}

/**
 * A moto with `seed` applied, and what seeding returned: with templates in use, a copy of a
 * template seeded once per `key` (the returned value is then the template's: copy what you
 * change); without, a server started and seeded now.
 */
export async function seededMoto<T>(
  key: string,
  start: () => Promise<MotoServer>,
  seed: (moto: MotoServer) => Promise<T>,
): Promise<{ moto: MotoServer; value: T }> {
  const create = async () => {
    const moto = await start();
    try {
      return { moto, value: await seed(moto) };
    } catch (error) {
      await moto.stop();
      throw error;
    }
  };
  if (!templates) return create();
  return copyOf(JSON.stringify(['seeded', key]), create) as Promise<{ moto: MotoServer; value: T }>;
}

/** Kinds whose server cannot be copied: started anew each time. */
const uncopyable = new Set<string>();

async function copyOf(
  key: string,
  create: () => Promise<{ moto: MotoServer; value: unknown }>,
): Promise<{ moto: MotoServer; value: unknown }> {
  const kept = templates as Map<string, Promise<{ moto: MotoServer; value: unknown }>>;
  if (uncopyable.has(key)) return create();
  let template = kept.get(key);
  if (!template) {
    const started = create();
    template = started;
    kept.set(key, started);
    // A template that failed to start is forgotten: the next caller tries again.
    started.catch(() => {
      if (kept.get(key) === started) kept.delete(key);
    });
  }
  const { moto, value } = await template;
  try {
    if (!moto.fork) throw new MotoNotCopyableError(`moto at ${moto.endpoint} cannot be copied`);
    return { moto: await moto.fork(), value };
  } catch (error) {
    if (!(error instanceof MotoNotCopyableError)) throw error;
    // Another moto than the project's wrapper (an older venv, a stand-in): the template is
    // handed out as it is, and servers of its kind are started anew from now on.
    uncopyable.add(key);
    kept.delete(key);
    return { moto, value };
  }
}
