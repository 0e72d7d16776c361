import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  APPROVAL_STATUS,
  type ApprovalRecord,
  type ApprovalStore,
  type AuditEntry,
  type GivenApproval,
  newApprovalId,
  type ProposedStep,
  type StepResult,
} from '@tourniquet/core';
import { fromApprovalItem, toApprovalItem } from './approvalItem';
import {
  approvalKey,
  incidentAuditPartition,
  requestKey,
  unattributedAuditPartition,
} from './approvalTable';
import { fromAuditItem, toAuditItem } from './auditItem';
import { plainTaskTokens, type TaskTokenSealer } from './taskTokenSealer';

/** Decided approvals and audit entries stay this long after expiry, then TTL removes them. */
export const DEFAULT_RETENTION_DAYS = 90;

export interface NewApproval {
  taskToken: string;
  executionArn?: string | null;
  incidentKey: string;
  playbook: string;
  actions: string[];
  steps: ProposedStep[];
  finding: unknown;
  results: StepResult[];
  expiresInSeconds: number;
  requiredApprovals: number;
}

export interface DynamoApprovalStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retentionDays?: number;
  /** How task tokens are kept in the table; as given when omitted (local runs). */
  tokens?: TaskTokenSealer;
}

/**
 * Approvals in DynamoDB. Every state change is a conditional update on the item's `version`
 * (and, for decisions, on `status = pending` and the expiry), so of two racing clicks exactly
 * one wins and the loser re-reads what happened.
 */
export class DynamoApprovalStore implements ApprovalStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly tokens: TaskTokenSealer;

  constructor(options: DynamoApprovalStoreOptions) {
    this.tokens = options.tokens ?? plainTaskTokens;
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  }

  async create(input: NewApproval, now: Date): Promise<ApprovalRecord> {
    const expiresAt = new Date(now.getTime() + input.expiresInSeconds * 1000);
    const approvalId = newApprovalId();
    const record: ApprovalRecord = {
      approvalId,
      incidentKey: input.incidentKey,
      playbook: input.playbook,
      actions: input.actions,
      steps: input.steps,
      finding: input.finding,
      results: input.results,
      status: APPROVAL_STATUS.pending,
      requiredApprovals: input.requiredApprovals,
      approvals: [],
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      decidedBy: null,
      decidedAt: null,
      completedAt: null,
      expiredReason: null,
      message: null,
      version: 1,
      taskToken: await this.tokens.seal(input.taskToken, approvalId),
      executionArn: input.executionArn ?? null,
    };
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: toApprovalItem(record, this.ttlAfter(expiresAt)),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  }

  /** The task token of a record read from the table, unsealed (decision functions only). */
  openTaskToken(record: ApprovalRecord): Promise<string | null> {
    return record.taskToken
      ? this.tokens.open(record.taskToken, record.approvalId)
      : Promise.resolve(null);
  }

  async get(approvalId: string): Promise<ApprovalRecord | null> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: approvalKey(approvalId),
        ConsistentRead: true,
      }),
    );
    return Item ? fromApprovalItem(Item) : null;
  }

  /** Where the Slack message is; not versioned, so it never races a decision. */
  async recordMessage(approvalId: string, message: { channel: string; ts: string }): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: approvalKey(approvalId),
        UpdateExpression: 'SET #message = :message',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#message': 'message' },
        ExpressionAttributeValues: { ':message': message },
      }),
    );
  }

  /** First of two approvals (two-person rule); null when the approval changed meanwhile. */
  addApproval(record: ApprovalRecord, approval: GivenApproval, now: Date) {
    return this.update(record, {
      set: { approvals: [...record.approvals, approval] },
      whilePendingAt: now,
    });
  }

  /** Takes the single-use decision; null when someone else decided first or it expired. */
  claimDecision(
    record: ApprovalRecord,
    decision: { status: 'approved' | 'denied'; approvals: GivenApproval[]; by: GivenApproval },
    now: Date,
  ) {
    return this.update(record, {
      set: {
        status: decision.status,
        approvals: decision.approvals,
        decidedBy: decision.by.approver,
        decidedAt: decision.by.at,
      },
      whilePendingAt: now,
    });
  }

  /** Step Functions accepted the decision: the token is spent, so it is not kept. */
  markCompleted(record: ApprovalRecord, at: Date) {
    return this.update(record, { set: { completedAt: at.toISOString() }, remove: ['taskToken'] });
  }

  markExpired(record: ApprovalRecord, reason: string) {
    return this.update(record, {
      set: { status: APPROVAL_STATUS.expired, expiredReason: reason },
      remove: ['taskToken'],
    });
  }

  async audit(entry: AuditEntry): Promise<void> {
    const at = new Date(entry.at);
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: toAuditItem(entry, this.ttlAfter(at)) }),
    );
  }

  /** The incident's audit trail, oldest first. */
  auditTrail(incidentKey: string): Promise<AuditEntry[]> {
    return this.auditPartition(incidentAuditPartition(incidentKey));
  }

  /** Attempts tied to no known approval (bad signatures, unknown ids) on the given UTC day. */
  unattributedAudit(day: Date): Promise<AuditEntry[]> {
    return this.auditPartition(unattributedAuditPartition(day));
  }

  private async auditPartition(pk: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
          ExpressionAttributeValues: {
            ':pk': pk,
            ':audit': 'audit#',
          },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      entries.push(...(page.Items ?? []).map(fromAuditItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  /**
   * Remembers a request fingerprint for `windowSeconds`; false when it was seen before, i.e. the
   * request is a replay. The window only has to outlive the signature's freshness check.
   */
  async rememberRequest(fingerprint: string, now: Date, windowSeconds: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...requestKey(fingerprint),
            seenAt: now.toISOString(),
            ttl: Math.ceil(now.getTime() / 1000) + windowSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private ttlAfter(at: Date): number {
    return Math.ceil(at.getTime() / 1000) + this.retentionSeconds;
  }

  /**
   * SET/REMOVE conditional on the record's version (and, with `whilePendingAt`, on it still
   * being pending and unexpired at that time); bumps the version. Null when the condition fails.
   */
  private async update(
    record: ApprovalRecord,
    change: { set: Record<string, unknown>; remove?: string[]; whilePendingAt?: Date },
  ): Promise<ApprovalRecord | null> {
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = {
      ':expected': record.version,
      ':next': record.version + 1,
    };
    const sets = ['#version = :next'];
    Object.entries(change.set).forEach(([key, value], i) => {
      names[`#s${i}`] = key;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    });
    const removes = (change.remove ?? []).map((key, i) => {
      names[`#r${i}`] = key;
      return `#r${i}`;
    });
    let condition = '#version = :expected';
    if (change.whilePendingAt) {
      names['#status'] = 'status';
      values[':pending'] = APPROVAL_STATUS.pending;
      values[':now'] = change.whilePendingAt.getTime();
      condition += ' AND #status = :pending AND expiresAtMs > :now';
    }
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: approvalKey(record.approvalId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromApprovalItem(Attributes) : null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }
}
