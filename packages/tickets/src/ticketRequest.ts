import { describeProblems, ESCALATION_REASONS, zodProblems } from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import { InvalidTicketRequestError } from './errors';

/** The parts of a Finding (core, without `raw`) the incident records. */
export const ticketFindingSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  eventId: z.optional(z.string()),
  origin: z.string().check(z.minLength(1)),
  type: z.string().check(z.minLength(1)),
  title: z._default(z.string(), ''),
  severity: z.string().check(z.minLength(1)),
  account: z.string().check(z.minLength(1)),
  region: z.string().check(z.minLength(1)),
  cluster: z._default(z.nullable(z.string()), null),
  count: z._default(z.number(), 1),
  firstSeen: z.string().check(z.minLength(1)),
  lastSeen: z.string().check(z.minLength(1)),
});
export type TicketFinding = z.infer<typeof ticketFindingSchema>;

/** An action Lambda's outcome as it sits in `$.results.<stepKey>`. */
const outcomeSchema = z.looseObject({
  action: z.string().check(z.minLength(1)),
  status: z.string().check(z.minLength(1)),
  target: z._default(z.string(), ''),
  detail: z._default(z.string(), ''),
  changes: z._default(z.array(z.string()), []),
  undo: z.optional(z.unknown()),
  data: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});
const resultsSchema = z._default(z.nullable(z.record(z.string(), outcomeSchema)), {});
export type StepResults = Record<string, z.infer<typeof outcomeSchema>>;

const approvalDecisionSchema = z.looseObject({
  decision: z.enum(['approved', 'denied', 'expired']),
  by: z.optional(z.string()),
  at: z.optional(z.string()),
});

/** `{Error, Cause}` of a failed Task, by step key (`$.failures`). */
const failureSchema = z.looseObject({
  Error: z.optional(z.string()),
  Cause: z.optional(z.string()),
});
const failuresSchema = z.nullish(z.record(z.string(), failureSchema));

/** TicketRequest (core serviceContracts) as the "Open ticket" and "Update ticket" Tasks send it. */
export const ticketRequestSchema = z.object({
  phase: z._default(z.enum(['start', 'end']), 'end'),
  incidentKey: z.string().check(z.minLength(1)),
  playbook: z.string().check(z.minLength(1)),
  reason: z._default(z.string(), ''),
  finding: ticketFindingSchema,
  steps: z._default(
    z.array(
      z.looseObject({
        action: z.string(),
        target: z._default(z.string(), ''),
        approval: z._default(z.string(), 'auto'),
        dryRun: z._default(z.boolean(), false),
      }),
    ),
    [],
  ),
  skipped: z._default(z.array(z.looseObject({ action: z.string(), reason: z.string() })), []),
  results: resultsSchema,
  failures: failuresSchema,
  approvalStatus: z._default(z.string(), 'not-needed'),
  dryRun: z._default(z.nullable(z.boolean()), false),
  /** Not in the contract's Parameters yet; recorded (who approved) when the playbook passes it. */
  approvalDecision: z.nullish(approvalDecisionSchema),
});
export type ParsedTicketRequest = z.infer<typeof ticketRequestSchema>;

/** EscalationRequest (core serviceContracts): a step failed, an approval expired, or the pod is NOT isolated. */
export const escalationRequestSchema = z.object({
  reason: z.enum(ESCALATION_REASONS),
  incidentKey: z.string().check(z.minLength(1)),
  playbook: z.string().check(z.minLength(1)),
  failures: failuresSchema,
  failure: z.nullish(failureSchema),
  actions: z.nullish(z.array(z.string())),
  steps: z.nullish(
    z.array(
      z.looseObject({
        action: z.string(),
        target: z._default(z.string(), ''),
        onlyIf: z.optional(z.string()),
      }),
    ),
  ),
  finding: ticketFindingSchema,
  results: resultsSchema,
});
export type ParsedEscalationRequest = z.infer<typeof escalationRequestSchema>;

/** ApprovalRequest (core serviceContracts), for recording that an approval was asked for. */
export const approvalRequestSchema = z.looseObject({
  incidentKey: z.string().check(z.minLength(1)),
  playbook: z.string().check(z.minLength(1)),
  actions: z.array(z.string()),
  finding: ticketFindingSchema,
  results: resultsSchema,
  /** Set by the request-approval function once the request is stored. */
  approvalId: z.optional(z.string().check(z.minLength(1))),
});
export type ParsedApprovalRequest = z.infer<typeof approvalRequestSchema>;

export function parseTicketRequest(input: unknown): ParsedTicketRequest {
  return parse(ticketRequestSchema, input, 'ticket request');
}

export function parseEscalationRequest(input: unknown): ParsedEscalationRequest {
  return parse(escalationRequestSchema, input, 'escalation request');
}

export function parseApprovalRequest(input: unknown): ParsedApprovalRequest {
  return parse(approvalRequestSchema, input, 'approval request');
}

function parse<T>(schema: z.ZodMiniType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InvalidTicketRequestError(
      `invalid ${what}: ${describeProblems(zodProblems(result.error))}`,
    );
  }
  return result.data;
}
