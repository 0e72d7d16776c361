import { renderTarget, type Target } from '@tourniquet/core';
import {
  classifyError,
  InvalidParametersError,
  PermanentActionError,
  VerificationFailedError,
} from './errors';
import type { Action, ActionContext, ActionMetadata, ActionOutcome, Check } from './types';

export interface ActionSpec<P extends Target, S, U> extends ActionMetadata<P> {
  check(ctx: ActionContext, params: P): Promise<Check<S>>;
  plan(state: S, ctx: ActionContext, params: P): string[];
  /** Wording for a target already in the wanted state, e.g. `node already cordoned`. */
  satisfied(state: S): string;
  /**
   * The concrete target the checked state names (role ARN, instance id, ENIs), shown to on-call
   * before approval; defaults to the rendered parameters.
   */
  resolved?(state: S, params: P): string;
  execute(
    ctx: ActionContext,
    params: P,
    state: S,
  ): Promise<{ undo: U | null; detail: string; data?: Record<string, unknown> }>;
  /** Restores what execute saved; returns what it changed. */
  restore?(ctx: ActionContext, params: P, saved: U): Promise<string[]>;
  /** Why there is no undo (evidence is kept, for instance). */
  noUndo?: string;
}

/**
 * Builds an action from its parts and gives every action the same semantics: parameters
 * validated, preconditions checked (not applicable → skipped with the reason), nothing to change
 * → skipped, dry-run → report only, errors typed for Step Functions, verify = read back and plan
 * again.
 */
export function defineAction<P extends Target, S, U>(spec: ActionSpec<P, S, U>): Action<P> {
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
  const outcome = (params: P, rest: Omit<ActionOutcome, 'action' | 'target'>): ActionOutcome => ({
    action: spec.name,
    target: renderTarget(params),
    ...rest,
  });
  const guarded = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw classifyError(error, `${spec.name} ${doing}`);
    }
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
      return checked.ok
        ? {
            action: spec.name,
            status: 'resolved',
            target,
            resolved: concrete(checked.state, params),
            detail: `would act on ${concrete(checked.state, params)}`,
          }
        : { action: spec.name, status: 'skipped', target, resolved: null, detail: checked.reason };
    },
    async plan(ctx, raw) {
      const params = parse(raw);
      const checked = await action.check(ctx, params);
      return checked.ok ? spec.plan(checked.state as S, ctx, params) : [];
    },
    async apply(ctx, raw) {
      const params = parse(raw);
      const checked = (await action.check(ctx, params)) as Check<S>;
      if (!checked.ok)
        return outcome(params, {
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
          `${spec.name} on ${renderTarget(params)} now resolves to ${concrete(checked.state, params)}, but on-call approved ${ctx.approvedTarget ?? 'no target (the step was to be skipped)'}: not applied`,
        );
      }
      const changes = spec.plan(checked.state, ctx, params);
      if (changes.length === 0) {
        return outcome(params, {
          status: 'skipped',
          detail: spec.satisfied(checked.state),
          changes,
          undo: null,
        });
      }
      if (ctx.dryRun) {
        return outcome(params, {
          status: 'dry-run',
          detail: `would ${changes.join('; ')}`,
          changes,
          undo: null,
        });
      }
      const result = await guarded('apply', () => spec.execute(ctx, params, checked.state));
      return outcome(params, { status: 'applied', changes, ...result });
    },
    async verify(ctx, raw) {
      const params = parse(raw);
      const checked = (await action.check(ctx, params)) as Check<S>;
      if (!checked.ok) return;
      const missing = spec.plan(checked.state, ctx, params);
      if (missing.length > 0) {
        throw new VerificationFailedError(
          `${spec.name} on ${renderTarget(params)} does not hold: still needs to ${missing.join('; ')}`,
        );
      }
    },
    async undo(ctx, raw, saved) {
      const params = parse(raw);
      if (!spec.restore || saved === null || saved === undefined) {
        const detail = spec.noUndo ?? 'nothing to undo: apply changed nothing';
        return outcome(params, { status: 'skipped', detail, changes: [], undo: null });
      }
      if (ctx.dryRun) {
        return outcome(params, {
          status: 'dry-run',
          detail: 'would restore the state saved by apply',
          changes: [],
          undo: saved,
        });
      }
      const changes = await guarded(
        'undo',
        () => spec.restore?.(ctx, params, saved as U) ?? Promise.resolve([]),
      );
      return outcome(params, {
        status: changes.length > 0 ? 'applied' : 'skipped',
        detail:
          changes.length > 0 ? `restored: ${changes.join('; ')}` : 'already in the original state',
        changes,
        undo: null,
      });
    },
  };
  return action;
}
