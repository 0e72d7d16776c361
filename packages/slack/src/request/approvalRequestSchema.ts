import type { ProposedStep } from '@tourniquet/core';
import {
  ACTION_NAMES,
  type ApprovalRequest,
  describeProblems,
  zodProblems,
} from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import { InvalidApprovalRequestError } from '../errors';

const approvalRequestSchema = z.looseObject({
  taskToken: z.string().check(z.minLength(1), z.maxLength(8192)),
  /** Only ever sent to GetExecutionHistory (the local runner passes its own execution ids). */
  executionArn: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  incidentKey: z.string().check(z.minLength(1), z.maxLength(1024)),
  playbook: z.string().check(z.minLength(1), z.maxLength(100)),
  actions: z
    .array(z.enum(ACTION_NAMES))
    .check(z.minLength(1, 'expected at least one action to approve')),
  finding: z.unknown(),
  results: z.unknown(),
  expiresInSeconds: z.int().check(z.minimum(1), z.maximum(31 * 86_400)),
  /** Optional: the plan's steps, so the message can name each step's exact target. */
  steps: z.optional(
    z.array(
      z.looseObject({
        action: z.string(),
        target: z.nullish(z.string()),
        dryRun: z.optional(z.boolean()),
      }),
    ),
  ),
  /** Optional: each approval step's concrete target, resolved just before the request. */
  resolved: z.optional(
    z.record(
      z.string(),
      z.looseObject({
        action: z.string(),
        resolved: z.nullable(z.string()),
        detail: z._default(z.string(), ''),
        impact: z.optional(z.string()),
      }),
    ),
  ),
});

export type ParsedApprovalRequest = Omit<ApprovalRequest, 'steps'> & { steps: ProposedStep[] };

/** Validates the approval Task's payload (core's ApprovalRequest contract). */
export function parseApprovalRequest(payload: unknown): ParsedApprovalRequest {
  const result = approvalRequestSchema.safeParse(payload);
  if (!result.success) {
    throw new InvalidApprovalRequestError(
      `invalid approval request: ${describeProblems(zodProblems(result.error))}`,
    );
  }
  const r = result.data;
  const resolved = new Map(Object.values(r.resolved ?? {}).map((v) => [v.action, v]));
  const steps = (r.steps ?? [])
    .filter((s) => (r.actions as string[]).includes(s.action))
    .map((s) => {
      const concrete = resolved.get(s.action);
      return {
        action: s.action,
        target: s.target ?? null,
        dryRun: s.dryRun ?? false,
        ...(concrete
          ? {
              resolved: concrete.resolved,
              ...(concrete.resolved === null ? { resolvedDetail: concrete.detail } : {}),
              ...(concrete.impact ? { impact: concrete.impact } : {}),
            }
          : {}),
      };
    });
  return { ...r, steps };
}
