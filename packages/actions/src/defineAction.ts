import type { JournalEntry } from '@tourniquet/core';
import { renderTarget, type Target } from '@tourniquet/core';
import {
  classifyError,
  InvalidParametersError,
  PermanentActionError,
  VerificationFailedError,
} from './errors';
import type { Action, ActionContext, ActionMetadata, ActionOutcome, Check } from './types';

export interface ActionSpec<P extends Target, S, R> extends ActionMetadata<P> {
  check(ctx: ActionContext, params: P): Promise<Check<S>>;
  plan(state: S, ctx: ActionContext, params: P): string[];
  /**
   * What the change still waits for from others (a controller materialising it): nothing to
   * apply, but verify fails until it is there.
   */
  pending?(state: S, ctx: ActionContext, params: P): string[];
  /** Wording for a target already in the wanted state, e.g. `node already cordoned`. */
  satisfied(state: S): string;
  /**
   * The concrete target the checked state names (role ARN, instance id, ENIs), shown to on-call
   * before approval; defaults to the rendered parameters.
   */
  resolved?(state: S, params: P): string;
  /**
   * The state before the change, as read by check: journalled before `execute` runs. Actions
   * without an undo (evidence) have none.
   */
  before?(state: S, ctx: ActionContext, params: P): R;
  /**
   * Makes the change. `recorded` is the journal entry in force: on a retry it is the first
   * attempt's record, the pre-incident state, not the half-changed state check reads now.
   */
  execute(
    ctx: ActionContext,
    params: P,
    state: S,
    recorded: R | null,
  ): Promise<{ detail: string; data?: Record<string, unknown> }>;
  /**
   * Puts back what the journal entry says was there, only where Tourniquet's own change is still
   * in place (it reads the current state first); returns what it changed.
   */
  restore?(ctx: ActionContext, subject: P, before: R): Promise<string[]>;
  /** Why there is no undo (evidence is kept, for instance). */
  noUndo?: string;
  /**
   * Who else the change reaches (every instance and pod sharing a role), read when the target
   * is resolved for the approval request, so on-call decides knowing the blast radius.
   */
  impact?(ctx: ActionContext, state: S, params: P): Promise<string | null>;
}

/**
 * Builds an action from its parts and gives every action the same semantics: parameters
 * validated, preconditions checked (not applicable → skipped with the reason), nothing to change
 * → skipped, dry-run → report only (nothing recorded, nothing changed), the state before the
 * change journalled before the change, errors typed for Step Functions, verify = read back and
 * plan again (plus what the change still waits for), undo = the journal's entries restored.
 */
export function defineAction<P extends Target, S, R>(spec: ActionSpec<P, S, R>): Action<P> {
  const parse = (params: unknown): P => {
    const result = spec.params.safeParse(params);
    if (!result.success) {
      const problems = result.error.issues.map(
        (i) => `${i.path.join('.') || '(params)'}: ${i.message}`,
      );
      throw new InvalidParametersError(`${spec.name}: invalid parameters: ${problems.join('; ')}`);
    }
    return result.data;
  };
  const outcome = (target: string, rest: Omit<ActionOutcome, 'action' | 'target'>) => ({
    action: spec.name,
    target,
    ...rest,
  });
  const guarded = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw classifyError(error, `${spec.name} ${doing}`);
    }
  };
  const reference = (target: string) => ({ journal: `${spec.name}#${target}` });
  /** A journal entry of this incident for the target that release has not undone yet. */
  const openEntry = async (ctx: ActionContext, target: string) => {
    if (!spec.restore) return null;
    const entry = await guarded('journal read', () =>
      ctx.journal.find(ctx.incidentKey, spec.name, target),
    );
    return entry && !entry.releasedAt ? entry : null;
  };

  const concrete = (state: S, params: P) => spec.resolved?.(state, params) ?? renderTarget(params);

  const action: Action<P> = {
    name: spec.name,
    description: spec.description,
    params: spec.params,
    permissions: spec.permissions,
    example: spec.example,
    check: (ctx, params) => guarded('check', () => spec.check(ctx, parse(params))),
    async resolve(ctx, raw) {
      const params = parse(raw);
      const checked = (await action.check(ctx, params)) as Check<S>;
      const target = renderTarget(params);
      if (!checked.ok)
        return {
          action: spec.name,
          status: 'skipped',
          target,
          resolved: null,
          detail: checked.reason,
        };
      const impact = spec.impact
        ? await guarded(
            'impact',
            () => spec.impact?.(ctx, checked.state, params) ?? Promise.resolve(null),
          )
        : null;
      return {
        action: spec.name,
        status: 'resolved',
        target,
        resolved: concrete(checked.state, params),
        detail: `would act on ${concrete(checked.state, params)}${impact ? `: ${impact}` : ''}`,
        ...(impact ? { impact } : {}),
      };
    },
    async plan(ctx, raw) {
      const params = parse(raw);
      const checked = await action.check(ctx, params);
      return checked.ok ? spec.plan(checked.state as S, ctx, params) : [];
    },
    async apply(ctx, raw) {
      const params = parse(raw);
      const target = renderTarget(params);
      const checked = (await action.check(ctx, params)) as Check<S>;
      if (!checked.ok)
        return outcome(target, {
          status: 'skipped',
          detail: checked.reason,
          changes: [],
          undo: null,
          ...(checked.protected ? { protected: true as const } : {}),
        });
      // On-call approved a concrete target; a different one now (an annotation edited, a role
      // replaced) was never approved.
      if (
        ctx.approvedTarget !== undefined &&
        concrete(checked.state, params) !== ctx.approvedTarget
      ) {
        throw new PermanentActionError(
          `${spec.name} on ${target} now resolves to ${concrete(checked.state, params)}, but on-call approved ${ctx.approvedTarget ?? 'no target (the step was to be skipped)'}: not applied`,
        );
      }
      const changes = spec.plan(checked.state, ctx, params);
      if (ctx.dryRun) {
        return outcome(target, {
          status: changes.length === 0 ? 'skipped' : 'dry-run',
          detail:
            changes.length === 0 ? spec.satisfied(checked.state) : `would ${changes.join('; ')}`,
          changes,
          undo: null,
        });
      }
      if (changes.length === 0) {
        // Already in the wanted state: perhaps by an earlier attempt whose answer was lost, in
        // which case its journal entry still lets release undo it.
        const entry = await openEntry(ctx, target);
        return outcome(target, {
          status: 'skipped',
          detail: spec.satisfied(checked.state),
          changes,
          undo: entry ? reference(target) : null,
        });
      }
      let recorded: R | null = null;
      if (spec.before && spec.restore) {
        const before = spec.before(checked.state, ctx, params);
        const entry = await guarded('journal write', () =>
          ctx.journal.record(
            {
              incidentKey: ctx.incidentKey,
              action: spec.name,
              target,
              subject: params,
              cluster: ctx.clusterName,
              region: ctx.aws.region,
              ...(ctx.account ? { account: ctx.account } : {}),
              before,
            },
            ctx.now(),
          ),
        );
        recorded = entry.before;
      }
      const result = await guarded('apply', () =>
        spec.execute(ctx, params, checked.state, recorded),
      );
      return outcome(target, {
        status: 'applied',
        changes,
        undo: recorded === null ? null : reference(target),
        ...result,
      });
    },
    async verify(ctx, raw) {
      const params = parse(raw);
      const checked = (await action.check(ctx, params)) as Check<S>;
      if (!checked.ok) return;
      const missing = [
        ...spec.plan(checked.state, ctx, params),
        ...(spec.pending?.(checked.state, ctx, params) ?? []),
      ];
      if (missing.length > 0) {
        throw new VerificationFailedError(
          `${spec.name} on ${renderTarget(params)} does not hold: still needs to ${missing.join('; ')}`,
        );
      }
    },
    async undo(ctx, given) {
      const incident = `incident/${ctx.incidentKey}`;
      if (!spec.restore) {
        const detail = spec.noUndo ?? 'nothing to undo';
        return outcome(incident, { status: 'skipped', detail, changes: [], undo: null });
      }
      const entries = (
        given ?? (await guarded('journal read', () => ctx.journal.list(ctx.incidentKey, spec.name)))
      ).filter((e) => !e.releasedAt);
      if (entries.length === 0) {
        return outcome(incident, {
          status: 'skipped',
          detail: 'nothing to undo: this incident changed nothing with this action',
          changes: [],
          undo: null,
        });
      }
      const targets = entries.map((e) => e.target).join(', ');
      if (ctx.dryRun) {
        return outcome(targets, {
          status: 'dry-run',
          detail: `would restore the state recorded before ${entries.length} change(s)`,
          changes: [],
          undo: null,
        });
      }
      const changes: string[] = [];
      for (const entry of entries) changes.push(...(await restoreEntry(ctx, entry)));
      return outcome(targets, {
        status: changes.length > 0 ? 'applied' : 'skipped',
        detail:
          changes.length > 0 ? `restored: ${changes.join('; ')}` : 'already in the original state',
        changes,
        undo: null,
      });
    },
  };

  async function restoreEntry(ctx: ActionContext, entry: JournalEntry): Promise<string[]> {
    // The subject was validated when it was journalled; validate again, it crossed a store.
    const subject = parse(entry.subject);
    const changes = await guarded(
      'undo',
      () => spec.restore?.(ctx, subject, entry.before as R) ?? Promise.resolve([]),
    );
    await guarded('journal write', () =>
      ctx.journal.markReleased(ctx.incidentKey, spec.name, entry.target, ctx.now()),
    );
    return changes;
  }

  return action;
}
