import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  checkPolicy,
  formatPolicyProblem,
  PolicyError,
  type PolicyProblem,
  type TourniquetConfig,
} from '@tourniquet/core';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';
import { loadConfig } from './loadConfig';
import { readPolicyFile } from './loadPolicy';

export const POLICY_USAGE = `Usage: tourniquet policy check [--config FILE] [--json] POLICY_FILE

Validates a policy file offline (format: docs/policy.md) and flags what it says that cannot
happen: rules that can never match (a contradictory severity range, an unknown source, a source
the rule's playbook never gets, a cluster or account not in the configuration), rules an
earlier rule always takes first (first match wins), and approvals the configuration overrides.
Each problem is one line: FILE:LINE:COLUMN: PATH: MESSAGE.

  --config FILE  also check against this configuration (its clusters, accounts and approvals);
                 without it, only the file itself is checked
  --json         one JSON object per problem per line: {file, line, column, path, message}
Exit status: 0 no problems, 1 problems found, 64 bad usage, a missing file or an invalid
configuration.
`;

export async function policyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout(POLICY_USAGE);
    return EXIT.ok;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== 'check') {
    throw new UsageError(
      sub ? `unknown policy command '${sub}' (expected check)` : 'policy needs a command: check',
    );
  }
  if (!file) throw new UsageError('policy check needs a POLICY_FILE');
  if (extra.length > 0) throw new UsageError(`policy check takes one file, not ${extra.join(' ')}`);
  // Only an explicit --config: a policy is checked against what the operator names.
  const config: TourniquetConfig | undefined = values.config
    ? (await loadConfig(values.config, io.cwd)).config
    : undefined;
  try {
    await access(resolve(io.cwd, file), constants.R_OK);
  } catch (error) {
    io.stderr(
      `tourniquet policy: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}\n`,
    );
    return EXIT.usage;
  }
  let problems: PolicyProblem[];
  let rules = 0;
  try {
    const loaded = await readPolicyFile(file, io.cwd);
    rules = loaded.policy.rules.length;
    problems = checkPolicy(loaded.policy, config).map((p) => ({
      ...p,
      ...(loaded.locate(p.path) ?? {}),
    }));
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    problems = error.problems;
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  for (const p of problems) {
    io.stdout(
      values.json
        ? `${JSON.stringify({ file, line: p.line ?? null, column: p.column ?? null, path: p.path, message: p.message })}\n`
        : `${formatPolicyProblem(p, file)}\n`,
    );
  }
  if (!values.json) {
    io.stdout(
      problems.length === 0
        ? `${file}: ${rules} rule(s), no problems${config ? ` (checked against ${values.config})` : ''}\n`
        : `${file}: ${problems.length} problem(s)\n`,
    );
  }
  return problems.length === 0 ? EXIT.ok : EXIT.failed;
}
