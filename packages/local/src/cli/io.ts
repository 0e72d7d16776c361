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
