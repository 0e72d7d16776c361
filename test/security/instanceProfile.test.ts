import { ReplaceIamInstanceProfileAssociationCommand } from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
} from '@aws-sdk/client-iam';
import { currentAssociation, runActionRequest } from '@tourniquet/actions';
import { LocalWorld } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleConfig } from '../helpers/events';
import { profileOf } from '../helpers/instanceProfiles';

/**
 * Node credentials: quarantine-instance-profile acts on one instance, and its undo restores only
 * what its journal recorded, only while its own deny-all profile is still in place.
 */
const ACCOUNT = '111122223333';
const finding = { cluster: 'prod-eks-01', region: 'us-east-1', lastSeen: '2026-11-23T12:00:00Z' };
const profile = (name: string) => `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`;
const GENERAL = profile('eks-ng-general-NodeInstanceProfile');
const DENY_ALL = profile('tourniquet-quarantine-deny-all');
const ATTACKER = 'attacker-admin';

let world: LocalWorld;
let n = 0;
const incident = () => `${ACCOUNT}:us-east-1:prod-eks-01:node:redteam-profile-${++n}`;
const aws = () => world.aws('us-east-1');
const node = () => world.seeded.physical('i-0a1b2c3d4e5f60718');
const run = (incidentKey: string, extra: Record<string, unknown>) =>
  runActionRequest(
    { incidentKey, action: 'quarantine-instance-profile', finding, ...extra },
    world.runtime(),
  );
/** What an attacker holding ec2:ReplaceIamInstanceProfileAssociation and iam:PassRole does. */
const swapTo = async (name: string) => {
  const association = await currentAssociation(
    { aws: aws() } as Parameters<typeof currentAssociation>[0],
    node(),
  );
  await aws().ec2.send(
    new ReplaceIamInstanceProfileAssociationCommand({
      AssociationId: association?.AssociationId,
      IamInstanceProfile: { Name: name },
    }),
  );
};

beforeAll(async () => {
  world = await LocalWorld.start({ config: sampleConfig() });
  await aws().iam.send(
    new CreateRoleCommand({ RoleName: ATTACKER, AssumeRolePolicyDocument: '{}' }),
  );
  await aws().iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: ATTACKER }));
  await aws().iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: ATTACKER, RoleName: ATTACKER }),
  );
});
afterAll(async () => world?.stop());

describe('Security: node credentials', () => {
  it('undo never re-associates a profile the attacker swapped in after containment', async () => {
    const key = incident();
    await run(key, { target: { kind: 'node', instanceId: node() } });
    expect(await profileOf(aws(), node())).toBe(DENY_ALL);
    await swapTo(ATTACKER);
    const undone = await run(key, { mode: 'undo' });
    expect(undone.status).toBe('skipped');
    // Undo touched nothing: it neither put the node role back over the attacker's profile (hiding
    // the swap) nor anything else; what is there now is for a human to look at.
    expect(await profileOf(aws(), node())).toBe(profile(ATTACKER));
    await swapTo('eks-ng-general-NodeInstanceProfile');
  });

  it('a forged undo carrying another original profile restores the journalled one only', async () => {
    const key = incident();
    await run(key, { target: { kind: 'node', instanceId: node() } });
    await run(key, {
      mode: 'undo',
      target: { kind: 'node', instanceId: node() },
      saved: { instanceId: node(), profileArn: profile(ATTACKER) },
    });
    expect(await profileOf(aws(), node())).toBe(GENERAL);
  });

  it('an undo for an incident that quarantined nothing leaves a deny-all profile another incident set', async () => {
    const other = incident();
    await run(other, { target: { kind: 'node', instanceId: node() } });
    const undone = await run(incident(), { mode: 'undo' });
    expect(undone.status).toBe('skipped');
    expect(await profileOf(aws(), node())).toBe(DENY_ALL);
    await run(other, { mode: 'undo' });
    expect(await profileOf(aws(), node())).toBe(GENERAL);
  });

  it('a retried apply journals the pre-incident profile, so undo never "restores" the deny-all one', async () => {
    const key = incident();
    const target = { kind: 'node', instanceId: node() };
    await run(key, { target });
    const retry = await run(key, { target });
    expect(retry.status).toBe('skipped');
    await run(key, { mode: 'undo' });
    expect(await profileOf(aws(), node())).toBe(GENERAL);
  });

  it('a node tagged tourniquet.io/protect=true keeps its instance profile', async () => {
    const protectedNode = world.seeded.physical('i-0f6071829a3b4c5d6');
    const outcome = await run(incident(), {
      target: { kind: 'node', instanceId: protectedNode },
    });
    expect(outcome).toMatchObject({ status: 'skipped', protected: true });
    expect(await profileOf(aws(), protectedNode)).toBe(
      profile('eks-ng-system-NodeInstanceProfile'),
    );
  });
});
