import { describeProblems, ESCALATION_REASONS, zodProblems } from '@tourniquet/core';
import * as z from 'zod';
import { InvalidTicketRequestError } from './errors';

/** The parts of a Finding (core, without `raw`) the incident records. */
export const ticketFindingSchema = z.looseObject({
  id: z.string().min(1),
  eventId: z.string().optional(),
  origin: z.string().min(1),
  type: z.string().min(1),
  title: z.string().default(''),
  severity: z.string().min(1),
  account: z.string().min(1),
  region: z.string().min(1),
  cluster: z.string().nullable().default(null),
  count: z.number().default(1),
  firstSeen: z.string().min(1),
  lastSeen: z.string().min(1),
});
export type TicketFinding = z.infer<typeof ticketFindingSchema>;

/** An action Lambda's outcome as it sits in `$.results.<stepKey>`. */
const outcomeSchema = z.looseObject({
  action: z.string().min(1),
  status: z.string().min(1),
  target: z.string().default(''),
  detail: z.string().default(''),
  changes: z.array(z.string()).default([]),
  undo: z.unknown().optional(),
  data: z.record(z.string(), z.unknown()).nullable().optional(),
});
const resultsSchema = z.record(z.string(), outcomeSchema).nullable().default({});
export type StepResults = Record<string, z.infer<typeof outcomeSchema>>;

const approvalDecisionSchema = z.looseObject({
  decision: z.enum(['approved', 'denied', 'expired']),
  by: z.string().optional(),
  at: z.string().optional(),
});

/** `{Error, Cause}` of a failed Task, by step key (`$.failures`). */
const failureSchema = z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() });
const failuresSchema = z.record(z.string(), failureSchema).nullish();

/** TicketRequest (core serviceContracts) as the "Open ticket" and "Update ticket" Tasks send it. */
export const ticketRequestSchema = z.object({
  phase: z.enum(['start', 'end']).default('end'),
  incidentKey: z.string().min(1),
  playbook: z.string().min(1),
  reason: z.string().default(''),
  finding: ticketFindingSchema,
  steps: z
    .array(
      z.looseObject({
        action: z.string(),
        target: z.string().default(''),
        approval: z.string().default('auto'),
        dryRun: z.boolean().default(false),
      }),
    )
    .default([]),
  skipped: z.array(z.looseObject({ action: z.string(), reason: z.string() })).default([]),
  results: resultsSchema,
  failures: failuresSchema,
  approvalStatus: z.string().default('not-needed'),
  dryRun: z.boolean().nullable().default(false),
  /** Not in the contract's Parameters yet; recorded (who approved) when the playbook passes it. */
  approvalDecision: approvalDecisionSchema.nullish(),
});
export type ParsedTicketRequest = z.infer<typeof ticketRequestSchema>;

/** EscalationRequest (core serviceContracts): a step failed, an approval expired, or the pod is NOT isolated. */
export const escalationRequestSchema = z.object({
  reason: z.enum(ESCALATION_REASONS),
  incidentKey: z.string().min(1),
  playbook: z.string().min(1),
  failures: failuresSchema,
  failure: failureSchema.nullish(),
  actions: z.array(z.string()).nullish(),
  steps: z
    .array(
      z.looseObject({
        action: z.string(),
        target: z.string().default(''),
        onlyIf: z.string().optional(),
      }),
    )
    .nullish(),
  finding: ticketFindingSchema,
  results: resultsSchema,
});
export type ParsedEscalationRequest = z.infer<typeof escalationRequestSchema>;

/** ApprovalRequest (core serviceContracts), for recording that an approval was asked for. */
export const approvalRequestSchema = z.looseObject({
  incidentKey: z.string().min(1),
  playbook: z.string().min(1),
  actions: z.array(z.string()),
  finding: ticketFindingSchema,
  results: resultsSchema,
  /** Set by the request-approval function once the request is stored. */
  approvalId: z.string().min(1).optional(),
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

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InvalidTicketRequestError(
      `invalid ${what}: ${describeProblems(zodProblems(result.error))}`,
    );
  }
  return result.data;
}
