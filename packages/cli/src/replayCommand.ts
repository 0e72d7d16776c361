import { relative, resolve } from 'node:path';
import type { ReplayRecord } from '@tourniquet/testkit';
import {
  type Approver,
  type ApproverFactory,
  approveAll,
  approveNone,
  createSlackApprover,
  type LocalTicketSink,
  loadScenario,
  parseTicketSinks,
  replay,
} from '@tourniquet/testkit';
import { askApprover } from './askApprover';
import { FileIncidentStore, incidentsFile } from './fileIncidentStore';
import { formatReplay } from './formatReplay';
import { type CliIo, EXIT, interruption, parseCommandLine, UsageError } from './io';
import { loadConfig } from './loadConfig';
import { loadPolicy } from './loadPolicy';
import { readEventInputs } from './readEvents';

export const REPLAY_USAGE = `Usage: tourniquet replay [--scenario FILE] [--config FILE] [--policy FILE]
                        [--approve all|none|ask|slack] [--tickets SINKS] [--incidents FILE] [--release] [--json] EVENT_FILE|DIR|-...

Replays events through triage and the playbooks against local emulators it starts itself
(moto on a free loopback port, a Kubernetes API simulator), seeded from the scenario, and
prints each event's timeline and the final state. Stops everything it started when done.

  --scenario FILE   environment to seed (default: the bundled sample environment); a pod
                    without uid takes the one the events give it. Warns (once each) about a
                    cluster, pod or node an event names that the scenario lacks, and where the
                    scenario and the config disagree: replay acts on the config's clusters, as
                    'tourniquet plan' does. 'tourniquet scenario init' writes one from events
  --config FILE     configuration (default: $TOURNIQUET_CONFIG, else ./tourniquet.config.json)
  --policy FILE     policy file triage plans with (docs/policy.md; default: the built-in one)
  --approve MODE    answer approval requests: all, none, ask on the terminal (default: ask;
                    without a terminal, ask denies), or slack: post the real Block Kit message
                    to a Slack simulator and approve it with a signed click through the real
                    decision endpoint (the message JSON and each click are printed)
  --tickets SINKS   where tickets go: local (default), jira, pagerduty, servicenow,
                    securityhub, a comma-separated list, all, or none. Jira, PagerDuty and
                    ServiceNow are simulated over HTTP on 127.0.0.1, Security Hub is moto
  --incidents FILE  the incident store this replay writes, from scratch (default:
                    $TOURNIQUET_INCIDENTS, else .tourniquet/incidents.json); read it with
                    'tourniquet incidents'
  --release         after the events, release every incident whose containment is in force,
                    as 'tourniquet release' does in AWS: the release playbook, approval by
                    --approve like any destructive step, each undo restoring what its action
                    journalled; prints a record per release (playbook "release")
  --json            one JSON object per event (and release) per line
Exit status: 0 all events replayed, 2 some input was rejected, 1 the emulators failed.
`;

const APPROVE_MODES = ['all', 'none', 'ask', 'slack'] as const;

export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout(REPLAY_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new UsageError('replay needs at least one EVENT_FILE or directory');
  const mode = values.approve ?? 'ask';
  if (!(APPROVE_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--approve must be one of ${APPROVE_MODES.join(', ')}, not '${mode}'`);
  }
  const { config } = await loadConfig(values.config, io.cwd);
  const policy = await loadPolicy(values.policy, io.cwd);
  const scenario = values.scenario
    ? await loadScenario(resolve(io.cwd, values.scenario), values.scenario)
    : undefined;
  const inputs = await readEventInputs(positionals, io.cwd, io.readStdin);
  let sinks: LocalTicketSink[];
  try {
    sinks = parseTicketSinks(values.tickets ?? 'local');
  } catch (error) {
    throw new UsageError(`--tickets: ${(error as Error).message}`);
  }
  const progress = (line: string) => io.stderr(`${line}\n`);
  const approver: Approver | ApproverFactory =
    mode === 'all'
      ? approveAll
      : mode === 'none'
        ? approveNone
        : mode === 'slack'
          ? slackApprover(progress)
          : askApprover(process.stdin, process.stderr);
  const storePath = values.incidents ? resolve(io.cwd, values.incidents) : incidentsFile(io.cwd);
  const store = await FileIncidentStore.open(storePath, { reset: true });

  const onInterrupt = () => {
    // A reader that went away (`| head`) wants no more output, not an explanation.
    if (interruption(io.signal)?.cause !== 'EPIPE')
      io.stderr('interrupted: stopping the emulators…\n');
  };
  io.signal?.addEventListener('abort', onInterrupt, { once: true });
  const counts = new Map<string, number>();
  const releases = new Map<string, number>();
  try {
    const { rejected, replayed, interrupted } = await replay({
      inputs,
      config,
      policy,
      scenario,
      approver,
      tickets: { sinks, store },
      signal: io.signal,
      release: values.release,
      progress,
      warn: (line) => io.stderr(`warning: ${line}\n`),
      onRejected: (source, problem) => io.stderr(`${source}: ${problem}\n`),
      onRecord: (record: ReplayRecord) => {
        const tally = record.playbook === 'release' ? releases : counts;
        tally.set(record.status, (tally.get(record.status) ?? 0) + 1);
        io.stdout(values.json ? `${JSON.stringify(record)}\n` : formatReplay(record));
      },
    });
    if (!values.json) {
      const summary = [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ');
      const of = interrupted ? ` of ${inputs.length} (interrupted)` : '';
      io.stdout(
        `${replayed} event(s) replayed${of}: ${summary || 'none'}${rejected ? `; ${rejected} rejected` : ''}\n`,
      );
      if (values.release) {
        const released = [...releases.entries()].map(([s, n]) => `${n} ${s}`).join(', ');
        io.stdout(
          `${[...releases.values()].reduce((a, b) => a + b, 0)} release(s): ${released || 'nothing in force to release'}\n`,
        );
      }
      const incidents = await store.list();
      io.stdout(
        `${incidents.length} incident(s) recorded in ${relative(io.cwd, storePath) || storePath}: 'tourniquet incidents' lists them, 'tourniquet incidents show KEY' prints a report\n`,
      );
    }
    const stopped = interruption(io.signal);
    if (stopped) return stopped.exitCode;
    return rejected > 0 ? EXIT.badInput : EXIT.ok;
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
  }
}

function parse(args: string[]) {
  return parseCommandLine(args, {
    scenario: { type: 'string' },
    config: { type: 'string' },
    policy: { type: 'string' },
    approve: { type: 'string' },
    tickets: { type: 'string' },
    incidents: { type: 'string' },
    release: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
}

/** The simulated on-call approves every request in Slack; the approvals table lives in the replay's moto. */
function slackApprover(progress: (line: string) => void): ApproverFactory {
  return {
    start: async (world) => {
      const slack = await createSlackApprover({
        choice: 'approve',
        aws: { endpoint: world.moto.endpoint, region: 'us-east-1' },
        progress,
      });
      progress(`slack: simulator on ${slack.simulator.apiUrl}`);
      return slack;
    },
  };
}
