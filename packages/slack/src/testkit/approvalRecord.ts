import type { ApprovalRecord, ApprovalRequest } from '@tourniquet/core';
import { stepResults } from '../message/stepResults';
import { parseApprovalRequest } from '../request/approvalRequestSchema';

/** The record the store would create for `request` (no DynamoDB needed for message tests). */
export function recordFor(
  request: ApprovalRequest,
  overrides: Partial<ApprovalRecord> = {},
): ApprovalRecord {
  const r = parseApprovalRequest(request);
  const createdAt = '2026-11-23T12:07:00.000Z';
  return {
    approvalId: 'apr_AAAAAAAAAAAAAAAAAAAAAA',
    incidentKey: r.incidentKey,
    playbook: r.playbook,
    actions: r.actions,
    steps: r.steps,
    finding: r.finding,
    results: stepResults(r.results),
    status: 'pending',
    requiredApprovals: 1,
    approvals: [],
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + r.expiresInSeconds * 1000).toISOString(),
    decidedBy: null,
    decidedAt: null,
    completedAt: null,
    expiredReason: null,
    message: null,
    version: 1,
    taskToken: r.taskToken,
    executionArn: r.executionArn ?? null,
    ...overrides,
  };
}
