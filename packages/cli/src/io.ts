import { parseArgs } from 'node:util';
import { didYouMean } from '@tourniquet/core';

/** Where a command writes; tests pass collectors, the bin passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /**
   * Fires when the CLI has to stop early: a signal, or the reader of stdout went away (`| head`).
   * Its reason is an `Interruption`. Commands stop what they started, then return.
   */
  signal?: AbortSignal;
  /** Reads the whole of standard input (what `-` names). */
  readStdin?: () => Promise<string>;
}

/**
 * Exit codes: 0 ok, 1 the command failed, 2 some input was rejected, 64 bad usage (also a
 * missing or invalid config or scenario file, and no AWS credentials), 128 + the signal's number
 * when a signal stopped it (129 SIGHUP, 130 SIGINT, 143 SIGTERM).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, usage: 64 } as const;

/** Why the CLI stops early, and the exit code that says so. */
export interface Interruption {
  cause: 'SIGHUP' | 'SIGINT' | 'SIGTERM' | 'EPIPE';
  exitCode: number;
}

export const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** The interruption behind `signal`, if it fired; a bare abort counts as Ctrl-C. */
export function interruption(signal: AbortSignal | undefined): Interruption | null {
  if (!signal?.aborted) return null;
  const reason = signal.reason as Partial<Interruption> | undefined;
  return typeof reason?.exitCode === 'number' && typeof reason.cause === 'string'
    ? (reason as Interruption)
    : { cause: 'SIGINT', exitCode: SIGNAL_EXIT_CODES.SIGINT };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * `parseArgs` with positionals and `--help`; what it rejects becomes a UsageError, an unknown
 * option with the closest known one.
 */
export function parseCommandLine<const T extends ParseArgsOptions>(args: string[], options: T) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } } as T & {
        help: { type: 'boolean'; short: 'h'; default: false };
      },
    });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'(-[^']*)'/.exec(message)?.[1];
    if (unknown) {
      const known = [...Object.keys(options ?? {}), 'help'].map((name) => `--${name}`);
      throw new UsageError(`unknown option '${unknown}'${didYouMean(unknown, known)}`);
    }
    throw new UsageError(message);
  }
}
