import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  eventFacts,
  matchEvents,
  parseScenario,
  SCENARIO_SCHEMA,
  scenarioFromEvents,
  scenarioYaml,
} from '@tourniquet/testkit';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';
import { loadConfig } from './loadConfig';
import { readEventInputs } from './readEvents';

export const SCENARIO_USAGE = `Usage: tourniquet scenario init --from-events EVENT_FILE|DIR|- [--from-events ...]
                          [-o FILE] [--config FILE] [--force]

Writes a scenario (the environment 'tourniquet replay --scenario' seeds) that matches a set of
events: the accounts, clusters, nodes (instance ids, ENI, IP, subnet, security groups,
instance profile), pods (uid, node, service account) and IAM roles they name, with their ids.
What events do not carry is made up so that the scenario seeds (CIDRs around the IPs seen,
pod IPs, a node for pods whose node no event names) or, with a config that lists the cluster,
taken from it (OIDC issuer, egress CIDRs, quarantine security group). Edit the result freely:
docs/scenarios.md describes every key.

  --from-events PATH  events to match (a file, a directory of *.json, or - for stdin)
  -o, --output FILE   write the scenario here (default: standard output)
  --config FILE       configuration (default: $TOURNIQUET_CONFIG, else ./tourniquet.config.json)
  --force             overwrite FILE if it exists
Events of no supported source name nothing and are left out. Exit status: 0 written, 2 some
file could not be read (reported on stderr; the others were used), 64 bad usage.
`;

export async function scenarioCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    'from-events': { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
    config: { type: 'string' },
    force: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout(SCENARIO_USAGE);
    return EXIT.ok;
  }
  const [sub, ...extra] = positionals;
  if (sub !== 'init')
    throw new UsageError(
      sub ? `unknown subcommand '${sub}' (try 'init')` : 'scenario needs a subcommand: init',
    );
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const sources = values['from-events'] ?? [];
  if (sources.length === 0) throw new UsageError('init needs --from-events EVENT_FILE|DIR');
  const output = values.output ? resolve(io.cwd, values.output) : null;
  if (output && existsSync(output) && !values.force)
    throw new UsageError(`${values.output} exists: pass --force to overwrite it`);
  const { config } = await loadConfig(values.config, io.cwd);
  const inputs = await readEventInputs(sources, io.cwd, io.readStdin);
  let rejected = 0;
  for (const input of inputs) {
    if ('error' in input) {
      rejected++;
      io.stderr(`${input.source}: ${input.error}\n`);
    }
  }
  const events = inputs.flatMap((i) => ('event' in i ? [i] : []));
  const facts = eventFacts(events);
  if (facts.length === 0) {
    io.stderr('tourniquet scenario: no GuardDuty, Config or CloudTrail event among the inputs\n');
    return EXIT.badInput;
  }
  const document = scenarioFromEvents(
    facts,
    config.clusters.length > 0 ? config : undefined,
    (line) => io.stderr(`warning: ${line}\n`),
  );
  // What is written must load and must match the events: a gap here is a bug, not the user's.
  const scenario = parseScenario(structuredClone(document), 'the generated scenario');
  const { gaps } = matchEvents(scenario, facts);
  for (const gap of gaps) io.stderr(`warning: ${gap}\n`);
  const schema = output
    ? relative(dirname(output), SCENARIO_SCHEMA) || SCENARIO_SCHEMA
    : SCENARIO_SCHEMA;
  const text = scenarioYaml(
    document,
    schema,
    `Written by 'tourniquet scenario init' from ${facts.length} event(s): ${sources.join(', ')}.`,
  );
  if (output) {
    await writeFile(output, text);
    const clusters = [scenario.clusters, ...scenario.accounts.map((m) => m.clusters)].flat();
    io.stderr(
      `wrote ${values.output}: ${1 + scenario.accounts.length} account(s), ${clusters.length} cluster(s), ${clusters.reduce((n, c) => n + c.nodes.length, 0)} node(s), ${clusters.reduce((n, c) => n + c.pods.length, 0)} pod(s), ${scenario.roles.length + scenario.accounts.reduce((n, m) => n + m.roles.length, 0)} role(s)\n`,
    );
  } else {
    io.stdout(text);
  }
  return rejected > 0 ? EXIT.badInput : EXIT.ok;
}
