import type { IncidentStore } from '@tourniquet/core';
import {
  createPlanner,
  EventValidationError,
  executionName,
  functionArnsFor,
  type Plan,
  type Policy,
  releasableFromJournal,
  releaseInput,
  type TourniquetConfig,
  triage,
  UnrecognisedEventError,
} from '@tourniquet/core';
import { DEFAULT_SCENARIO, LOCAL_CREDENTIALS, LocalWorld } from '../localWorld';
import { asFunction } from '../playbooks/invokedFunction';
import { LocalPlaybookStarter } from '../playbooks/localPlaybookStarter';
import { type Approver, MemoryTicketDesk, type TicketDesk } from '../playbooks/localServices';
import { eventFacts } from '../scenario/eventFacts';
import { matchEvents } from '../scenario/matchEvents';
import { loadScenario, type Scenario } from '../scenario/scenario';
import {
  type LocalTicketing,
  type LocalTicketSink,
  startLocalTicketing,
} from '../tickets/localTicketing';
import { describeState } from './describeState';
import { type ReplayRecord, summarise } from './replayRecord';

/** One event to replay, or the reason a file held none (reported, never replayed). */
export type EventInput = { source: string; event: unknown } | { source: string; error: string };

export interface ReplayOptions {
  inputs: readonly EventInput[];
  config: TourniquetConfig;
  /** The policy triage plans with (default: the built-in one). */
  policy?: Policy;
  scenario?: Scenario;
  /**
   * Answers approval requests: a function, or a factory started once the emulators run (what
   * it starts, its `stop` stops when the replay ends).
   */
  approver: Approver | ApproverFactory;
  /**
   * Record incidents in this store and open tickets in these sinks (simulated over HTTP, Security
   * Hub in moto), as deployed. Without it, tickets go to an in-memory desk and nothing is kept.
   */
  tickets?: { sinks: readonly LocalTicketSink[]; store: IncidentStore };
  onRecord: (record: ReplayRecord) => void;
  onRejected: (source: string, problem: string) => void;
  progress?: (line: string) => void;
  /**
   * Warnings, each once: an event names a cluster, pod or node the scenario lacks; the scenario
   * and the config disagree about a cluster or member account.
   */
  warn?: (line: string) => void;
  /** Stops the emulators when it fires (Ctrl-C). */
  signal?: AbortSignal;
  /** Fault injection in front of the emulators (see LocalWorld). */
  faults?: { rate: number; seed?: number; timeoutMs?: number };
  /** Leave the emulators running and return them (tests inspect them); the caller stops them. */
  keepWorld?: boolean;
  /**
   * After the events, release every incident whose containment is in force (from the step
   * journal, as `tourniquet release` does in AWS), through the release playbook and the same
   * approver. Each release gets a record with playbook `release`.
   */
  release?: boolean;
  /** Called once the emulators are seeded, before the first event (tests read the state before). */
  onReady?: (world: LocalWorld) => Promise<void>;
}

/** An approver that needs the emulators (the Slack approver keeps its table in moto). */
export interface ApproverFactory {
  start(world: LocalWorld): Promise<{ approver: Approver; stop(): Promise<void> }>;
}

/**
 * Replays events through triage and the playbooks against local emulators: moto and the
 * Kubernetes simulator seeded from the scenario, playbooks run by aws-local-stepfunctions with
 * the real handlers. Events name the scenario's ids; they are translated to moto's.
 */
export async function replay(options: ReplayOptions): Promise<{
  rejected: number;
  /** Events replayed to the end (each got a record); fewer than the inputs when interrupted. */
  replayed: number;
  /** The signal stopped the replay; the event in flight then got no record. */
  interrupted: boolean;
  world: LocalWorld | null;
  desk: MemoryTicketDesk;
  ticketing: LocalTicketing | null;
}> {
  const say = options.progress ?? (() => {});
  const warn = options.warn ?? (() => {});
  const matched = matchEvents(
    options.scenario ?? (await loadScenario(DEFAULT_SCENARIO)),
    eventFacts(options.inputs.flatMap((i) => ('event' in i ? [i] : []))),
  );
  for (const gap of matched.gaps) warn(gap);
  // The config's clusters, as plan uses them: the same event and config get the same playbook.
  const world = await LocalWorld.start({
    config: options.config,
    scenario: matched.scenario,
    clustersFrom: 'config',
    warn,
    progress: say,
    faults: options.faults,
  });
  const stop = () => void world.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  // Output names the scenario's ids (those the events use), never the ones moto drew; except
  // the incident key (and a release's file, which holds it), which must stay the one the
  // incident store and the ticket desk know the incident by.
  const onRecord = (record: ReplayRecord) =>
    options.onRecord({
      ...world.seeded.untranslate(record),
      file: record.file,
      incidentKey: record.incidentKey,
    });
  let rejected = 0;
  let replayed = 0;
  const desk = new MemoryTicketDesk();
  let ticketing: LocalTicketing | null = null;
  let approverHandle: Awaited<ReturnType<ApproverFactory['start']>> | null = null;
  try {
    await options.onReady?.(world);
    if (options.tickets) {
      say(`ticket sinks: ${options.tickets.sinks.join(', ') || 'none (the incident record only)'}`);
      ticketing = await startLocalTicketing({
        sinks: options.tickets.sinks,
        store: options.tickets.store,
        aws: {
          endpoint: world.moto.endpoint,
          region: 'us-east-1',
          credentials: LOCAL_CREDENTIALS,
          account: world.config.clusters[0]?.account,
        },
      });
    }
    let approver: Approver;
    if (typeof options.approver === 'function') {
      approver = options.approver;
    } else {
      approverHandle = await options.approver.start(world);
      approver = approverHandle.approver;
    }
    const functions = functionArnsFor('tourniquet');
    const playbooks = new LocalPlaybookStarter({
      runtime: world.runtime(),
      functions,
      approver: ticketing ? ticketing.recordApprovals(approver) : approver,
      desk: ticketing ? ticketing.desk : (desk satisfies TicketDesk),
    });
    const starter = ticketing ? ticketing.recordIncidents(playbooks) : playbooks;
    const planner = createPlanner(world.config, options.policy);
    const contained = new Map<string, { plan: Plan; file: string }>();
    say(`replaying ${options.inputs.length} event(s)…`);
    for (const input of options.inputs) {
      if (options.signal?.aborted) break;
      if ('error' in input) {
        rejected++;
        options.onRejected(input.source, input.error);
        continue;
      }
      const startedAt = Date.now();
      let result: Awaited<ReturnType<typeof triage>>;
      try {
        result = await untilAborted(
          asFunction('triage', () =>
            triage(
              world.seeded.translate(input.event),
              planner,
              starter,
              new Date(startedAt),
              undefined,
              world.configRules(),
            ),
          ),
          options.signal,
        );
      } catch (error) {
        if (error instanceof ReplayInterrupted) break;
        if (error instanceof EventValidationError || error instanceof UnrecognisedEventError) {
          rejected++;
          options.onRejected(input.source, error.message);
          continue;
        }
        throw error;
      }
      const { plan, execution: started } = result;
      if (started) contained.set(plan.incidentKey, { plan, file: input.source });
      const base = {
        file: input.source,
        eventId: (input.event as { id?: string }).id ?? null,
        incidentKey: plan.incidentKey,
        playbook: plan.playbook,
        reason: plan.reason,
      };
      if (!started) {
        replayed++;
        onRecord({
          ...base,
          status: 'SUCCEEDED',
          joined: null,
          actions: [],
          containmentMs: null,
          durationMs: Date.now() - startedAt,
          state: null,
        });
        continue;
      }
      // An interrupt stops the emulators under the running playbook: what it does after that
      // is not the event's outcome, so the event gets no record.
      let execution: Awaited<ReturnType<typeof playbooks.execution>>;
      let state: Awaited<ReturnType<typeof describeState>>;
      try {
        execution = await untilAborted(playbooks.execution(started.executionName), options.signal);
      } catch (error) {
        if (error instanceof ReplayInterrupted) break;
        throw error;
      }
      const joined = started.status === 'duplicate' ? started.executionName : null;
      const summary = joined
        ? {
            actions: [],
            status: execution.status === 'FAILED' ? ('FAILED' as const) : ('SUCCEEDED' as const),
            containmentMs: null,
          }
        : summarise(plan, execution, startedAt);
      const output = execution.output as {
        results?: Record<string, never>;
        ticket?: { ticketId?: string };
        ticketUpdate?: { ticketId?: string };
      } | null;
      const ticket =
        output?.ticket?.ticketId ??
        output?.ticketUpdate?.ticketId ??
        desk.tickets.get(plan.incidentKey)?.id ??
        null;
      try {
        state = await untilAborted(
          describeState(world, plan, output?.results ?? {}, ticket),
          options.signal,
        );
      } catch (error) {
        if (error instanceof ReplayInterrupted) break;
        throw error;
      }
      replayed++;
      onRecord({ ...base, ...summary, joined, durationMs: Date.now() - startedAt, state });
    }
    if (options.release && !options.signal?.aborted) {
      for (const [key, { plan }] of contained) {
        const steps = releasableFromJournal(await world.journal.list(key));
        if (steps.length === 0) continue;
        const startedAt = Date.now();
        const { raw: _raw, ...finding } = plan.finding;
        const input = releaseInput(key, finding, steps);
        const name = executionName(`release:${key}`, new Date(startedAt));
        playbooks.startExecution(name, input);
        let execution: Awaited<ReturnType<typeof playbooks.execution>>;
        let state: Awaited<ReturnType<typeof describeState>>;
        try {
          execution = await untilAborted(playbooks.execution(name), options.signal);
          const output = execution.output as {
            results?: Record<string, never>;
            ticket?: { ticketId?: string };
            ticketUpdate?: { ticketId?: string };
          } | null;
          const ticket = output?.ticketUpdate?.ticketId ?? output?.ticket?.ticketId ?? null;
          state = await untilAborted(
            describeState(world, plan, output?.results ?? {}, ticket),
            options.signal,
          );
        } catch (error) {
          if (error instanceof ReplayInterrupted) break;
          throw error;
        }
        const releasePlan = { ...plan, steps: input.steps };
        onRecord({
          file: `release ${key}`,
          eventId: null,
          incidentKey: key,
          playbook: 'release',
          reason: input.reason,
          ...summarise(releasePlan, execution, startedAt),
          joined: null,
          durationMs: Date.now() - startedAt,
          state,
        });
      }
    }
    return {
      rejected,
      replayed,
      interrupted: options.signal?.aborted ?? false,
      world: options.keepWorld ? world : null,
      desk,
      ticketing: options.keepWorld ? ticketing : null,
    };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await approverHandle?.stop();
    if (!options.keepWorld) {
      await ticketing?.stop();
      await world.stop();
    }
  }
}

class ReplayInterrupted extends Error {
  constructor() {
    super('replay interrupted');
    this.name = 'ReplayInterrupted';
  }
}

/** `work`, unless the signal fires first; then ReplayInterrupted (and `work` is abandoned). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(new ReplayInterrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ReplayInterrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(new ReplayInterrupted());
        else resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? new ReplayInterrupted() : error);
      },
    );
  });
}
