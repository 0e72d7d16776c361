import { describe, expect, it } from 'vitest';
import {
  type ApprovalRecord,
  matchesApproverArn,
  nextStep,
  personOf,
  requiredApprovalsFor,
} from '../src/index';

const alice = { id: 'slack:U0ONCALL001', name: 'alice', channel: 'slack' as const };
const bob = {
  id: 'aws:arn:aws:sts::111122223333:assumed-role/OnCall/bob',
  name: 'bob',
  channel: 'cli' as const,
};
const now = new Date('2026-11-23T12:10:00Z');
const pending = (overrides: Partial<ApprovalRecord> = {}) =>
  ({
    status: 'pending',
    expiresAt: '2026-11-23T12:22:00Z',
    requiredApprovals: 1,
    approvals: [],
    ...overrides,
  }) as ApprovalRecord;

describe('Approvals: decision rules', () => {
  it('a first approval decides when one is needed; under the two-person rule it waits for another', () => {
    expect(nextStep(pending(), 'approve', alice, now)).toEqual({
      kind: 'decide',
      status: 'approved',
    });
    expect(nextStep(pending({ requiredApprovals: 2 }), 'approve', alice, now)).toEqual({
      kind: 'add-approval',
    });
    const half = pending({
      requiredApprovals: 2,
      approvals: [{ approver: alice, at: now.toISOString() }],
    });
    expect(nextStep(half, 'approve', alice, now)).toEqual({ kind: 'repeat-approver' });
    expect(nextStep(half, 'approve', bob, now)).toEqual({ kind: 'decide', status: 'approved' });
  });

  it('a deny is final on its own, also halfway through a two-person approval', () => {
    const half = pending({
      requiredApprovals: 2,
      approvals: [{ approver: alice, at: now.toISOString() }],
    });
    expect(nextStep(half, 'deny', alice, now)).toEqual({ kind: 'decide', status: 'denied' });
  });

  it('nothing decides an approval that is decided, expired or past its expiry', () => {
    expect(nextStep(pending({ status: 'approved' }), 'deny', alice, now).kind).toBe(
      'already-decided',
    );
    expect(nextStep(pending({ status: 'expired' }), 'approve', alice, now).kind).toBe('expired');
    expect(nextStep(pending(), 'approve', alice, new Date('2026-11-23T12:22:00Z')).kind).toBe(
      'expire',
    );
  });

  it('needs two approvers when any proposed action is under the two-person rule', () => {
    expect(requiredApprovalsFor(['cordon-node', 'isolate-node'], ['isolate-node'])).toBe(2);
    expect(requiredApprovalsFor(['cordon-node'], ['isolate-node'])).toBe(1);
  });

  it('matches AWS callers to approver ARNs: exact, any session of a role, or a prefix', () => {
    const session = 'arn:aws:sts::111122223333:assumed-role/OnCall/bob@example.com';
    expect(matchesApproverArn(session, session)).toBe(true);
    expect(matchesApproverArn(session, 'arn:aws:iam::111122223333:role/OnCall')).toBe(true);
    expect(matchesApproverArn(session, 'arn:aws:iam::111122223333:role/teams/OnCall')).toBe(true);
    expect(matchesApproverArn(session, 'arn:aws:iam::444455556666:role/OnCall')).toBe(false);
    expect(matchesApproverArn(session, 'arn:aws:iam::111122223333:role/OnCallAdmins')).toBe(false);
    expect(
      matchesApproverArn(
        'arn:aws:sts::111122223333:assumed-role/OnCallAdmins/x',
        'arn:aws:iam::111122223333:role/OnCall',
      ),
    ).toBe(false);
    expect(matchesApproverArn(session, 'arn:aws:sts::111122223333:assumed-role/OnCall/*')).toBe(
      true,
    );
    expect(
      matchesApproverArn(
        'arn:aws:iam::111122223333:user/alice',
        'arn:aws:iam::111122223333:role/OnCall',
      ),
    ).toBe(false);
  });

  it('counts people: every session of a role is one, people map identities across channels', () => {
    const session = (name: string) => `arn:aws:sts::111122223333:assumed-role/OnCall/${name}`;
    expect(personOf({ channel: 'aws', id: session('alice') })).toBe(
      personOf({ channel: 'aws', id: session('alice-again') }),
    );
    expect(personOf({ channel: 'aws', id: session('alice') })).toBe(
      'aws-role:aws:111122223333:OnCall',
    );
    expect(personOf({ channel: 'aws', id: 'arn:aws:iam::111122223333:user/bob' })).toBe(
      'aws:arn:aws:iam::111122223333:user/bob',
    );
    const people = {
      alice: { slack: ['U0ONCALL001'], aws: [session('alice')] },
      bob: { slack: [], aws: [session('bob')] },
    };
    expect(personOf({ channel: 'slack', id: 'U0ONCALL001' }, people)).toBe('person:alice');
    expect(personOf({ channel: 'aws', id: session('alice') }, people)).toBe('person:alice');
    expect(personOf({ channel: 'aws', id: session('bob') }, people)).toBe('person:bob');
    const half = pending({
      requiredApprovals: 2,
      approvals: [{ approver: { ...alice, person: 'person:alice' }, at: now.toISOString() }],
    });
    const aliceByCli = { ...bob, person: 'person:alice' };
    expect(nextStep(half, 'approve', aliceByCli, now)).toEqual({ kind: 'repeat-approver' });
    expect(nextStep(half, 'approve', { ...bob, person: 'person:bob' }, now).kind).toBe('decide');
  });

  it('anchors prefix patterns at a path separator', () => {
    const pattern = 'arn:aws:sts::111122223333:assumed-role/OnCall/*';
    expect(matchesApproverArn('arn:aws:sts::111122223333:assumed-role/OnCall/eve', pattern)).toBe(
      true,
    );
    expect(
      matchesApproverArn('arn:aws:sts::111122223333:assumed-role/OnCallContractors/eve', pattern),
    ).toBe(false);
    expect(
      matchesApproverArn(
        'arn:aws:sts::111122223333:assumed-role/OnCallContractors/eve',
        'arn:aws:sts::111122223333:assumed-role/OnCall*',
      ),
    ).toBe(false);
  });
});
