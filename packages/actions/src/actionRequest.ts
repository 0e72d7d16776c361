import type { AwsClients, MemberSession } from '@tourniquet/aws';
import type { ActionJournal, Finding, JournalEntry, TourniquetConfig } from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import type { KubeAdapter } from '@tourniquet/kube';
import { ensureReachable, kubeWhileReachable } from './endpointReach';
import { classifyError, InvalidParametersError } from './errors';
import { memberSessionFor } from './memberSession';
import type { Action, ActionContext, ActionOutcome, ResolveOutcome } from './types';

/** What a playbook Task sends to an action Lambda. */
export const actionRequestSchema = z.object({
  /** `resolve`: report the concrete target apply would act on, changing nothing. */
  mode: z._default(z.enum(['apply', 'verify', 'undo', 'resolve']), 'apply'),
  incidentKey: z.string().check(z.minLength(1)),
  action: z.string().check(z.minLength(1)),
  /**
   * The plan step's subject (a Target); validated by the action's own schema. Undo ignores it:
   * what release restores comes from the journal only.
   */
  target: z.optional(z.record(z.string(), z.unknown())),
  dryRun: z._default(z.boolean(), false),
  finding: z._default(
    z.nullable(
      z.looseObject({ cluster: z.nullable(z.string()), region: z.string(), lastSeen: z.string() }),
    ),
    null,
  ),
  /**
   * The concrete target on-call approved (mode apply of an approved step): the `resolved` value
   * of the resolve run before the approval request. Apply fails closed when it differs.
   */
  approvedTarget: z.optional(z.nullable(z.string())),
});
export type ActionRequest = z.input<typeof actionRequestSchema>;

/** Where an action request finds its clients: built once per warm Lambda (or per local world). */
export interface ActionRuntime {
  config: TourniquetConfig;
  /**
   * Clients for a region; with `member`, clients whose credentials come from assuming that
   * member role (before their first call), so every call lands in the member account.
   */
  aws(region: string, member?: MemberSession | null): AwsClients;
  /** A cluster's Kubernetes API; a member's cluster is reached with the member role's token. */
  kube(cluster: string, member?: MemberSession | null): Promise<KubeAdapter>;
  /** The step journal: where apply records the state before a change, and undo reads it. */
  journal: ActionJournal;
  now?: () => Date;
}

export type ActionResponse =
  | ActionOutcome
  | ResolveOutcome
  | { action: string; status: 'verified'; target: string; detail: string };

/**
 * Validates a request, builds the action context and runs apply, verify, undo or resolve.
 * `actionFor` finds the action the request names: the registry for local runs, the one action
 * its Lambda bundles in AWS (so a function never loads the others).
 */
export async function runActionRequestWith(
  input: unknown,
  runtime: ActionRuntime,
  actionFor: (name: string) => Action<unknown>,
): Promise<ActionResponse> {
  const parsed = actionRequestSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(request)'}: ${i.message}`,
    );
    throw new InvalidParametersError(`invalid action request: ${problems.join('; ')}`);
  }
  const request = parsed.data;
  const action = actionFor(request.action);
  const finding = request.finding as Omit<Finding, 'raw'> | null;
  const dryRun =
    request.dryRun || runtime.config.dryRun || runtime.config.dryRunActions.includes(action.name);
  const contextAt = (
    clusterName: string | null,
    fallbackRegion: string | undefined,
    account: string | undefined,
  ) => {
    const cluster = clusterIn(runtime.config, clusterName, account);
    const region = cluster?.region ?? fallbackRegion ?? process.env.AWS_REGION ?? 'us-east-1';
    const member = memberSessionFor(
      runtime.config,
      action.name,
      request.incidentKey,
      account ?? cluster?.account,
      region,
    );
    let reachable: Promise<void> | undefined;
    const context: ActionContext = {
      ...(member ? { account: member.account } : {}),
      incidentKey: request.incidentKey,
      dryRun,
      config: runtime.config,
      cluster,
      clusterName,
      finding,
      aws: runtime.aws(region, member),
      journal: runtime.journal,
      kube: () => {
        if (!clusterName)
          throw new InvalidParametersError(
            `${action.name} needs a cluster, but the finding names none`,
          );
        reachable ??= ensureReachable(context, clusterName);
        return kubeWhileReachable(reachable, runtime.kube(clusterName, member));
      },
      now: runtime.now ?? (() => new Date()),
      ...(request.approvedTarget !== undefined ? { approvedTarget: request.approvedTarget } : {}),
    };
    return context;
  };
  if (request.mode === 'undo')
    return undoFromJournal(action, runtime.journal, request.incidentKey, contextAt);
  const ctx = contextAt(finding?.cluster ?? null, finding?.region, finding?.account);
  if (!request.target) {
    throw new InvalidParametersError(
      `invalid action request: target: required for ${request.mode}`,
    );
  }
  if (request.mode === 'resolve') return action.resolve(ctx, request.target);
  if (request.mode === 'verify') {
    await action.verify(ctx, request.target);
    return {
      action: action.name,
      status: 'verified',
      target: JSON.stringify(request.target),
      detail: 'state holds',
    };
  }
  // Parse → apply → verify: a change is only reported once it reads back as holding.
  const outcome = await action.apply(ctx, request.target);
  if (outcome.status === 'applied') await action.verify(ctx, request.target);
  return outcome;
}

/**
 * The configured cluster an incident is on: in the named account when there is one (a member's
 * cluster may share its name with the hub's), else the hub's own before a member's.
 */
function clusterIn(
  config: TourniquetConfig,
  name: string | null,
  account: string | undefined,
): TourniquetConfig['clusters'][number] | null {
  const named = config.clusters.filter((c) => c.name === name);
  if (account) return named.find((c) => c.account === account) ?? null;
  return named.find((c) => !Object.hasOwn(config.accounts ?? {}, c.account)) ?? named[0] ?? null;
}

/**
 * Undo restores the incident's journal entries of this action, each where it was recorded (its
 * account, cluster and region come from the entry, not from the request).
 */
async function undoFromJournal(
  action: Action<unknown>,
  journal: ActionJournal,
  incidentKey: string,
  contextAt: (
    cluster: string | null,
    region: string | undefined,
    account: string | undefined,
  ) => ActionContext,
): Promise<ActionOutcome> {
  let entries: JournalEntry[];
  try {
    entries = (await journal.list(incidentKey, action.name)).filter((e) => !e.releasedAt);
  } catch (error) {
    throw classifyError(error, `${action.name} journal read`);
  }
  const places = new Map<string, JournalEntry[]>();
  for (const entry of entries) {
    const place = JSON.stringify([entry.account ?? null, entry.cluster, entry.region]);
    places.set(place, [...(places.get(place) ?? []), entry]);
  }
  if (places.size <= 1) {
    const [first] = entries;
    return action.undo(contextAt(first?.cluster ?? null, first?.region, first?.account), entries);
  }
  const outcomes: ActionOutcome[] = [];
  for (const group of places.values()) {
    const [first] = group as [JournalEntry];
    outcomes.push(await action.undo(contextAt(first.cluster, first.region, first.account), group));
  }
  const changes = outcomes.flatMap((o) => o.changes);
  return {
    action: action.name,
    status: outcomes.some((o) => o.status === 'applied') ? 'applied' : 'skipped',
    target: outcomes.map((o) => o.target).join(', '),
    detail: outcomes.map((o) => o.detail).join('; '),
    changes,
    undo: null,
  };
}
