import { describeProblems, zodProblems } from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import { InvalidTicketRequestError } from './errors';

/*
 * What the approval functions parse to put an approval on the incident, apart from the ticket
 * and escalation requests: a module's schemas are all built when any of them is used, so
 * request-approval, slack-interactions and decide build only these.
 */

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
export const resultsSchema = z._default(z.nullable(z.record(z.string(), outcomeSchema)), {});
export type StepResults = Record<string, z.infer<typeof outcomeSchema>>;

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

export function parseApprovalRequest(input: unknown): ParsedApprovalRequest {
  return parseRequest(approvalRequestSchema, input, 'approval request');
}

export function parseRequest<T>(schema: z.ZodMiniType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InvalidTicketRequestError(
      `invalid ${what}: ${describeProblems(zodProblems(result.error))}`,
    );
  }
  return result.data;
}
