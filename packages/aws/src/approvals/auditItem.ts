import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '@tourniquet/core';
import {
  APPROVAL_TABLE,
  incidentAuditPartition,
  unattributedAuditPartition,
} from './approvalTable';

/** Orders entries written by one process within the same millisecond. */
let sequence = 0;

/**
 * Audit entries are items of their own, not appends to the approval item: rejected attempts
 * (floods included) can never grow the approval past DynamoDB's 400 KB item limit, and they are
 * written even when the approval's conditional updates fail. The sort key orders them in time.
 */
export function toAuditItem(entry: AuditEntry, ttlEpochSeconds: number): Record<string, unknown> {
  const at = new Date(entry.at);
  return {
    pk: entry.incidentKey
      ? incidentAuditPartition(entry.incidentKey)
      : unattributedAuditPartition(at),
    sk: `audit#${entry.at}#${String(sequence++ % 1e6).padStart(6, '0')}${randomBytes(4).toString('hex')}`,
    kind: 'approval-attempt',
    ...entry,
    [APPROVAL_TABLE.ttlAttribute]: ttlEpochSeconds,
  };
}

export function fromAuditItem(item: Record<string, unknown>): AuditEntry {
  return {
    at: String(item.at),
    incidentKey: (item.incidentKey as string | null) ?? null,
    approvalId: (item.approvalId as string | null) ?? null,
    channel: item.channel as AuditEntry['channel'],
    actor: (item.actor as AuditEntry['actor']) ?? null,
    choice: (item.choice as AuditEntry['choice']) ?? null,
    result: item.result as AuditEntry['result'],
    outcome: item.outcome as AuditEntry['outcome'],
    detail: String(item.detail ?? ''),
    sourceIp: (item.sourceIp as string | null) ?? null,
    requestId: (item.requestId as string | null) ?? null,
  };
}
