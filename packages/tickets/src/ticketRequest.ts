import { ESCALATION_REASONS } from '@tourniquet/core';
import * as z from '@tourniquet/core/zod';
import { parseRequest, resultsSchema, ticketFindingSchema } from './approvalRequest';

export {
  type ParsedApprovalRequest,
  parseApprovalRequest,
  type StepResults,
  type TicketFinding,
  ticketFindingSchema,
} from './approvalRequest';

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

export function parseTicketRequest(input: unknown): ParsedTicketRequest {
  return parseRequest(ticketRequestSchema, input, 'ticket request');
}

export function parseEscalationRequest(input: unknown): ParsedEscalationRequest {
  return parseRequest(escalationRequestSchema, input, 'escalation request');
}
