import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type ApprovalRecord,
  createApprovalTable,
  DynamoApprovalStore,
  decideApproval,
  parseApprovalRequest,
  stepResults,
  type TaskCompleter,
  TaskCompletionError,
} from '@tourniquet/slack';
import { sampleApprovalRequest } from '@tourniquet/slack/testkit';
import { InProcessTaskCompleter } from '@tourniquet/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { useMoto } from './helpers/moto';

const TABLE = 'approvals-store-test';
const alice = { id: 'slack:U0ONCALL001', name: 'alice', channel: 'slack' as const };
const bob = { id: 'slack:U0ONCALL002', name: 'bob', channel: 'slack' as const };

/** Counts what reaches the task (a decision must reach Step Functions at most once). */
class CountingCompleter implements TaskCompleter {
  calls: string[] = [];
  constructor(private readonly inner: TaskCompleter) {}
  async succeed(token: string, output: Parameters<TaskCompleter['succeed']>[1]) {
    this.calls.push(`succeed:${output.by}`);
    await this.inner.succeed(token, output);
  }
  async fail(token: string, error: string, cause: string) {
    this.calls.push(`fail:${error}`);
    await this.inner.fail(token, error, cause);
  }
}

describe('Approvals: DynamoDB store and single-use decisions', () => {
  const moto = useMoto();
  let dynamo: DynamoDBClient;
  let store: DynamoApprovalStore;
  let tokens = 0;

  beforeAll(async () => {
    dynamo = new DynamoDBClient(moto());
    await createApprovalTable(dynamo, TABLE);
    store = new DynamoApprovalStore({ client: dynamo, tableName: TABLE, retentionDays: 30 });
  });

  async function create(
    options: { requiredApprovals?: number; now?: Date; expiresInSeconds?: number } = {},
  ) {
    tokens += 1;
    const r = parseApprovalRequest(sampleApprovalRequest({ taskToken: `task-token-${tokens}` }));
    return store.create(
      {
        taskToken: r.taskToken,
        incidentKey: r.incidentKey,
        playbook: r.playbook,
        actions: r.actions,
        steps: r.steps,
        finding: r.finding,
        results: stepResults(r.results),
        expiresInSeconds: options.expiresInSeconds ?? r.expiresInSeconds,
        requiredApprovals: options.requiredApprovals ?? 1,
      },
      options.now ?? new Date(),
    );
  }

  function waitingTask(record: ApprovalRecord) {
    const inProcess = new InProcessTaskCompleter();
    const completion = inProcess.wait(record.taskToken as string);
    return { completer: new CountingCompleter(inProcess), completion, inProcess };
  }

  it('stores the request under an unguessable id, with the token and a TTL past expiry', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const record = await create({ now });
    expect(record.approvalId).toMatch(/^apr_[A-Za-z0-9_-]{22}$/);
    expect(await store.get(record.approvalId)).toEqual(record);
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `approval#${record.approvalId}` }, sk: { S: 'approval' } },
      }),
    );
    expect(Number(Item?.ttl?.N)).toBe(Date.parse('2030-01-01T00:15:00Z') / 1000 + 30 * 86_400);
    expect(Item?.taskToken?.S).toBe(record.taskToken);
    expect((await create()).approvalId).not.toBe(record.approvalId);
  });

  it('of two racing decisions exactly one wins, and the task hears only the winner', async () => {
    const record = await create();
    const { completer, completion } = waitingTask(record);
    const now = new Date();
    const results = await Promise.all([
      decideApproval(
        { store, completer },
        { approvalId: record.approvalId, choice: 'approve', approver: alice, now },
      ),
      decideApproval(
        { store, completer },
        { approvalId: record.approvalId, choice: 'deny', approver: bob, now },
      ),
    ]);
    const kinds = results.map((r) => r.kind);
    expect(kinds).toHaveLength(2);
    const winners = kinds.filter((k) => k === 'approved' || k === 'denied');
    expect(winners).toHaveLength(1);
    // The loser never sends its own choice. Arriving while the winner is still delivering, it
    // may deliver the recorded (winning) decision once more, which Step Functions takes once.
    const heard = winners[0] === 'approved' ? 'succeed:slack:U0ONCALL001' : 'fail:ApprovalDenied';
    expect(completer.calls.length).toBeGreaterThanOrEqual(1);
    expect(new Set(completer.calls)).toEqual(new Set([heard]));
    expect((await completion).kind).toBe(winners[0] === 'approved' ? 'success' : 'failure');
    const stored = await store.get(record.approvalId);
    expect(stored).toMatchObject({ taskToken: null });
    expect(stored?.completedAt).toBeTruthy();
  });

  it('a decision Step Functions did not confirm stays taken: the next attempt delivers it, whoever makes it', async () => {
    const record = await create();
    const { completer, completion } = waitingTask(record);
    const flaky: TaskCompleter = {
      succeed: async () => {
        throw new TaskCompletionError('ThrottlingException: rate exceeded');
      },
      fail: async () => {
        throw new TaskCompletionError('ThrottlingException: rate exceeded');
      },
    };
    const now = new Date();
    const attempt = {
      approvalId: record.approvalId,
      choice: 'approve' as const,
      approver: alice,
      now,
    };
    const failed = await decideApproval({ store, completer: flaky }, attempt);
    expect(failed).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringContaining('Throttling'),
    });
    // Rolled back, a later deny could contradict an approval Step Functions may already act on.
    expect(await store.get(record.approvalId)).toMatchObject({
      status: 'approved',
      completedAt: null,
      taskToken: record.taskToken,
    });
    const lateDeny = { ...attempt, choice: 'deny' as const, approver: bob };
    expect(await decideApproval({ store, completer }, lateDeny)).toMatchObject({
      kind: 'already-decided',
      record: { status: 'approved', taskToken: null },
    });
    expect(await completion).toMatchObject({
      kind: 'success',
      output: { by: 'slack:U0ONCALL001' },
    });
  });

  it('when the playbook stopped waiting, the decision is recorded as expired, not as taken', async () => {
    const record = await create();
    const gone = new InProcessTaskCompleter();
    const result = await decideApproval(
      { store, completer: gone },
      { approvalId: record.approvalId, choice: 'approve', approver: alice, now: new Date() },
    );
    expect(result).toMatchObject({
      kind: 'expired',
      reason: expect.stringContaining('stopped waiting'),
    });
    expect(await store.get(record.approvalId)).toMatchObject({
      status: 'expired',
      taskToken: null,
    });
  });

  it('past its expiry an approval cannot be decided; it is marked expired', async () => {
    const record = await create({ now: new Date(Date.now() - 120_000), expiresInSeconds: 60 });
    const { completer } = waitingTask(record);
    const result = await decideApproval(
      { store, completer },
      { approvalId: record.approvalId, choice: 'approve', approver: alice, now: new Date() },
    );
    expect(result.kind).toBe('expired');
    expect(completer.calls).toEqual([]);
    expect((await store.get(record.approvalId))?.status).toBe('expired');
  });

  it('two-person rule: one approver twice counts once; a second approver decides', async () => {
    const record = await create({ requiredApprovals: 2 });
    const { completer, completion } = waitingTask(record);
    const at = (approver: typeof alice) => ({
      approvalId: record.approvalId,
      choice: 'approve' as const,
      approver,
      now: new Date(),
    });
    expect((await decideApproval({ store, completer }, at(alice))).kind).toBe('awaiting-approval');
    expect((await decideApproval({ store, completer }, at(alice))).kind).toBe('repeat-approver');
    expect(completer.calls).toEqual([]);
    expect((await decideApproval({ store, completer }, at(bob))).kind).toBe('approved');
    expect(await completion).toMatchObject({
      output: { by: 'slack:U0ONCALL001 + slack:U0ONCALL002' },
    });
  });

  it('remembers request fingerprints: the second sighting is a replay', async () => {
    const now = new Date();
    expect(await store.rememberRequest('f'.repeat(64), now, 600)).toBe(true);
    expect(await store.rememberRequest('f'.repeat(64), now, 600)).toBe(false);
  });

  it('keeps the audit trail under the incident key, oldest first', async () => {
    const incidentKey = `audit-test:${Date.now()}`;
    const entry = (result: 'requested' | 'approved', at: string) => ({
      at,
      incidentKey,
      approvalId: 'apr_AAAAAAAAAAAAAAAAAAAAAA',
      channel: 'slack' as const,
      actor: result === 'approved' ? alice : null,
      choice: result === 'approved' ? ('approve' as const) : null,
      result,
      outcome: 'accepted' as const,
      detail: result,
      sourceIp: null,
      requestId: null,
    });
    await store.audit(entry('approved', '2026-11-23T12:09:00.000Z'));
    await store.audit(entry('requested', '2026-11-23T12:07:00.000Z'));
    expect((await store.auditTrail(incidentKey)).map((e) => e.result)).toEqual([
      'requested',
      'approved',
    ]);
  });
});
