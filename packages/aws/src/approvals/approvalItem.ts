import type { ApprovalRecord, ApprovalStatus } from '@tourniquet/core';
import { APPROVAL_TABLE, approvalKey } from './approvalTable';

/**
 * The finding and step lists are stored as JSON strings: they are shown, never queried, and a
 * string keeps odd values (empty strings, nested nulls) exactly as the playbook sent them.
 */
export interface ApprovalItem {
  pk: string;
  sk: string;
  approvalId: string;
  incidentKey: string;
  playbook: string;
  actions: string[];
  stepsJson: string;
  findingJson: string;
  resultsJson: string;
  status: ApprovalStatus;
  requiredApprovals: number;
  approvals: ApprovalRecord['approvals'];
  createdAt: string;
  expiresAt: string;
  /** Epoch milliseconds, for conditions (`expiresAtMs > :now`). */
  expiresAtMs: number;
  decidedBy: ApprovalRecord['decidedBy'];
  decidedAt: string | null;
  completedAt: string | null;
  expiredReason: string | null;
  message: ApprovalRecord['message'];
  version: number;
  taskToken?: string;
  executionArn: string | null;
  [APPROVAL_TABLE.ttlAttribute]: number;
}

export function toApprovalItem(record: ApprovalRecord, ttlEpochSeconds: number): ApprovalItem {
  const { steps, finding, results, taskToken, ...rest } = record;
  return {
    ...approvalKey(record.approvalId),
    ...rest,
    stepsJson: JSON.stringify(steps),
    findingJson: JSON.stringify(finding ?? null),
    resultsJson: JSON.stringify(results),
    expiresAtMs: Date.parse(record.expiresAt),
    ...(taskToken ? { taskToken } : {}),
    [APPROVAL_TABLE.ttlAttribute]: ttlEpochSeconds,
  };
}

export function fromApprovalItem(item: Record<string, unknown>): ApprovalRecord {
  const i = item as unknown as ApprovalItem;
  return {
    approvalId: i.approvalId,
    incidentKey: i.incidentKey,
    playbook: i.playbook,
    actions: i.actions ?? [],
    steps: parseJson(i.stepsJson, []),
    finding: parseJson(i.findingJson, null),
    results: parseJson(i.resultsJson, []),
    status: i.status,
    requiredApprovals: i.requiredApprovals,
    approvals: i.approvals ?? [],
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    decidedBy: i.decidedBy ?? null,
    decidedAt: i.decidedAt ?? null,
    completedAt: i.completedAt ?? null,
    expiredReason: i.expiredReason ?? null,
    message: i.message ?? null,
    version: i.version,
    taskToken: i.taskToken ?? null,
    executionArn: i.executionArn ?? null,
  };
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
