import { runActionRequest } from '@tourniquet/actions';
import { LocalWorld } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleConfig } from './helpers/events';
import { profileOf } from './helpers/instanceProfiles';

const ACCOUNT = '111122223333';
const finding = { cluster: 'prod-eks-01', region: 'us-east-1', lastSeen: '2026-11-23T12:00:00Z' };
const profile = (name: string) => `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`;
const GENERAL = profile('eks-ng-general-NodeInstanceProfile');
const DENY_ALL = profile('tourniquet-quarantine-deny-all');

let world: LocalWorld;
let n = 0;
const incident = () => `${ACCOUNT}:us-east-1:prod-eks-01:node:quarantine-${++n}`;
const aws = () => world.aws('us-east-1');
/** Both ng-general nodes share eks-ng-general-NodeInstanceRole through its instance profile. */
const nodeA = () => world.seeded.physical('i-0a1b2c3d4e5f60718');
const nodeB = () => world.seeded.physical('i-0c3d4e5f607182930');
const run = (incidentKey: string, action: string, extra: Record<string, unknown>) =>
  runActionRequest({ incidentKey, action, finding, ...extra }, world.runtime());

beforeAll(async () => {
  world = await LocalWorld.start({ config: sampleConfig() });
});
afterAll(async () => world?.stop());

describe('Action: quarantine-instance-profile (moto)', () => {
  it('swaps only the compromised instance onto the deny-all profile, verifies it, and undo restores the original', async () => {
    const key = incident();
    const target = { kind: 'node', instanceId: nodeA() };
    const applied = await run(key, 'quarantine-instance-profile', { target });
    expect(applied).toMatchObject({
      status: 'applied',
      data: { replaced: GENERAL, profile: DENY_ALL },
    });
    expect(await profileOf(aws(), nodeA())).toBe(DENY_ALL);
    // The node sharing the role keeps its credentials.
    expect(await profileOf(aws(), nodeB())).toBe(GENERAL);
    await expect(
      run(key, 'quarantine-instance-profile', { target, mode: 'verify' }),
    ).resolves.toBeDefined();
    const again = await run(key, 'quarantine-instance-profile', { target });
    expect(again.status).toBe('skipped');

    const undone = await run(key, 'quarantine-instance-profile', { mode: 'undo' });
    expect(undone).toMatchObject({ status: 'applied' });
    expect(await profileOf(aws(), nodeA())).toBe(GENERAL);
    // Verify reads the association back: it no longer holds.
    await expect(
      run(key, 'quarantine-instance-profile', { target, mode: 'verify' }),
    ).rejects.toThrow(/does not hold: still needs to replace instance profile/);
  });

  it('dry-run reports the swap and changes nothing', async () => {
    const outcome = await run(incident(), 'quarantine-instance-profile', {
      target: { kind: 'node', instanceId: nodeB() },
      dryRun: true,
    });
    expect(outcome).toMatchObject({ status: 'dry-run' });
    expect(outcome.detail).toContain(`replace instance profile ${GENERAL}`);
    expect(await profileOf(aws(), nodeB())).toBe(GENERAL);
  });
});

describe('Action: revoke-role-sessions on a node instance role (moto + Kubernetes simulator)', () => {
  it('the approval target says how many instances and pods share the role', async () => {
    const resolved = await run(incident(), 'revoke-role-sessions', {
      mode: 'resolve',
      target: { kind: 'instance-profile-role', arn: GENERAL },
    });
    const pods = world.simulators
      .get('prod-eks-01')
      ?.list('v1', 'Pod')
      .filter((p) =>
        ['ip-10-0-12-34.ec2.internal', 'ip-10-0-33-78.ec2.internal'].includes(
          (p as { spec?: { nodeName?: string } }).spec?.nodeName ?? '',
        ),
      ).length;
    expect(pods).toBeGreaterThan(0);
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolved: `arn:aws:iam::${ACCOUNT}:role/eks-ng-general-NodeInstanceRole`,
      impact: `node instance role shared by 2 instance(s) (${[nodeA(), nodeB()].sort().join(', ')}) and ${pods} pod(s) on them: revoking its sessions cuts AWS access for all of them until their credentials refresh`,
    });
  });

  it('an IRSA role carried by no instance profile has no node impact line', async () => {
    const resolved = await run(incident(), 'revoke-role-sessions', {
      mode: 'resolve',
      target: { kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/payments-api-irsa` },
    });
    expect(resolved).toMatchObject({ status: 'resolved' });
    expect(resolved).not.toHaveProperty('impact');
  });
});
