import { createPlanner } from '@tourniquet/core';
import { formatPlan, formatTally } from './formatPlan';
import { type CliIo, EXIT, interruption, parseCommandLine, UsageError } from './io';
import { loadConfig } from './loadConfig';
import { loadPolicy } from './loadPolicy';
import { type PlanRecord, planEvent } from './planEvent';
import { readEventInputs } from './readEvents';

export const PLAN_USAGE = `Usage: tourniquet plan [--config FILE] [--policy FILE] [--json] EVENT_FILE|DIR|-...

Shows what Tourniquet would do with each EventBridge event: the normalised finding, the
incident it belongs to, the playbook and its ordered steps. Changes nothing anywhere. A file
holds one event or a JSON array of them; a directory gives every *.json below it; - reads
standard input.

  --config FILE  configuration (default: $TOURNIQUET_CONFIG, else ./tourniquet.config.json,
                 else built-in defaults)
  --policy FILE  policy file (docs/policy.md; default: the built-in policy,
                 packages/core/policy/default.yaml)
  --json         one JSON object per event per line
Exit status: 0 all events planned, 2 some input was rejected (reported on stderr), 64 bad
usage, configuration or policy.
`;

export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args);
  if (values.help) {
    io.stdout(PLAN_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new UsageError('plan needs at least one EVENT_FILE or directory');
  const { config } = await loadConfig(values.config, io.cwd);
  const planner = createPlanner(config, await loadPolicy(values.policy, io.cwd));
  const inputs = await readEventInputs(positionals, io.cwd, io.readStdin);
  const records: PlanRecord[] = [];
  let rejected = 0;
  for (const input of inputs) {
    if (io.signal?.aborted) break;
    if ('error' in input) {
      rejected++;
      io.stderr(`${input.source}: ${input.error}\n`);
      continue;
    }
    const outcome = planEvent(planner, input.source, input.event);
    if (!outcome.ok) {
      rejected++;
      io.stderr(`${input.source}: ${outcome.error}\n`);
      continue;
    }
    records.push(outcome.record);
    io.stdout(
      values.json ? `${JSON.stringify(outcome.record)}\n` : `${formatPlan(outcome.record)}\n`,
    );
  }
  const stopped = interruption(io.signal);
  if (stopped) return stopped.exitCode;
  if (!values.json) io.stdout(formatTally(records, rejected));
  return rejected > 0 ? EXIT.badInput : EXIT.ok;
}

function parseCommandArgs(args: string[]) {
  return parseCommandLine(args, {
    config: { type: 'string' },
    policy: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
}
