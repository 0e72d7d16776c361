import { parseArgs } from 'node:util';

/** Where a command writes; tests pass collectors, the bin passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

/** Exit codes: 0 ok, 1 the command failed, 2 some input was rejected, 64 bad usage. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, usage: 64 } as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** `parseArgs` with positionals and `--help`; what it rejects becomes a UsageError. */
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
    throw new UsageError((error as Error).message);
  }
}
