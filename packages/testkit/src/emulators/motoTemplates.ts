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
    moto: await start(),
    value: null,
  })).then(({ moto }) => moto);
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
