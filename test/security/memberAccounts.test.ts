import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { PermanentActionError, runActionRequest } from '@tourniquet/actions';
import { awsClientConfig } from '@tourniquet/aws';
import { createPlanner, normaliseEvent } from '@tourniquet/core';
import {
  DEFAULT_SCENARIO,
  LOCAL_CREDENTIALS,
  loadScenario,
  type MotoServer,
  seedAccountRoles,
  startMoto,
} from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig, withValue } from '../helpers/events';

/**
 * Attacks on the hub/member split: a finding, a request or a principal that tries to make the
 * hub act in an account it does not manage, or to use a member role it was not given.
 */
const HUB = '111122223333';
const MEMBER = '222233334444';
const EXTERNAL_ID = 'tourniquet-local-hub';
const MEMBER_EVENT = 'guardduty/runtime-reverse-shell-member-account.json';
const config = sampleConfig();
const planner = createPlanner(config);
const planOf = (event: Record<string, any>) => planner.plan(normaliseEvent(event));

describe('Red team: member accounts (planning)', () => {
  it('a finding claiming an account not configured as a member is ticket-only', () => {
    const forged = withValue(loadEvent(MEMBER_EVENT), 'detail.accountId', '999988887777');
    const plan = planOf(forged);
    expect(plan.playbook).toBe('ticket-only');
    expect(plan.steps.map((s) => s.action)).toEqual(['open-ticket']);
    expect(plan.reason).toContain('999988887777');
  });

  it("a finding naming a member's cluster under the hub's account is ticket-only", () => {
    const forged = withValue(loadEvent(MEMBER_EVENT), 'detail.accountId', HUB);
    expect(planOf(forged).playbook).toBe('ticket-only');
  });

  it("a finding naming a hub cluster under the member's account is ticket-only", () => {
    const forged = withValue(
      withValue(
        loadEvent('guardduty/runtime-reverse-shell-payments.json'),
        'detail.accountId',
        MEMBER,
      ),
      'detail.resource.eksClusterDetails.name',
      'prod-eks-01',
    );
    expect(planOf(forged).playbook).toBe('ticket-only');
  });
});

describe('Red team: member accounts (action requests)', () => {
  const untouchable = {
    config,
    aws: () => {
      throw new Error('an AWS client was asked for');
    },
    kube: () => {
      throw new Error('a Kubernetes client was asked for');
    },
    journal: {
      record: () => Promise.reject(new Error('journal written')),
      find: () => Promise.resolve(null),
      list: () => Promise.resolve([]),
      markReleased: () => Promise.resolve(),
    },
  };

  it('an action request whose finding names an unconfigured account is refused before any AWS call', async () => {
    const request = {
      action: 'protect-node',
      incidentKey: '999988887777:us-east-1:shop-eks-03:node:i-0e5f60718293a4b5c',
      target: { kind: 'node', instanceId: 'i-0e5f60718293a4b5c' },
      finding: {
        account: '999988887777',
        region: 'us-east-1',
        cluster: 'shop-eks-03',
        lastSeen: '2026-11-23T12:00:00Z',
      },
    };
    const refused = runActionRequest(request, untouchable);
    await expect(refused).rejects.toBeInstanceOf(PermanentActionError);
    await expect(refused).rejects.toThrow(
      "account 999988887777 is neither the hub's nor a configured member account",
    );
  });

  it("a member finding's action asks for the member role of exactly that action, naming the incident", async () => {
    const asked: unknown[] = [];
    const request = {
      action: 'protect-node',
      incidentKey: `${MEMBER}:us-east-1:shop-eks-03:node:i-0e5f60718293a4b5c`,
      target: { kind: 'node', instanceId: 'i-0e5f60718293a4b5c' },
      finding: {
        account: MEMBER,
        region: 'us-east-1',
        cluster: 'shop-eks-03',
        lastSeen: '2026-11-23T12:00:00Z',
      },
    };
    await expect(
      runActionRequest(request, {
        ...untouchable,
        aws: (_region: string, member: unknown) => {
          asked.push(member);
          throw new Error('stop before any call');
        },
      }),
    ).rejects.toThrow('stop before any call');
    expect(asked).toEqual([
      {
        account: MEMBER,
        action: 'protect-node',
        roleArn: `arn:aws:iam::${MEMBER}:role/tourniquet-member-protect-node`,
        externalId: EXTERNAL_ID,
        sessionName: expect.stringMatching(/^tourniquet-tq-[0-9a-f]{16}-protect-node$/),
      },
    ]);
  });
});

describe('Red team: member roles (trust policies, in the two-account emulator)', () => {
  let moto: MotoServer;
  const sts = (credentials = LOCAL_CREDENTIALS as Record<string, string | undefined>) =>
    new STSClient({
      ...awsClientConfig({ region: 'us-east-1', endpoint: moto.endpoint }),
      credentials: credentials as never,
    });
  const asHubFunction = async (action: string) => {
    const { Credentials: c } = await sts().send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${HUB}:role/tourniquet-local-${action}`,
        RoleSessionName: 'hub-function',
      }),
    );
    return sts({
      accessKeyId: c?.AccessKeyId,
      secretAccessKey: c?.SecretAccessKey,
      sessionToken: c?.SessionToken,
    });
  };
  const assumeMember = (client: STSClient, action: string, externalId?: string) =>
    client.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MEMBER}:role/tourniquet-member-${action}`,
        RoleSessionName: 'attempt',
        ExternalId: externalId,
      }),
    );

  beforeAll(async () => {
    const scenario = await loadScenario(DEFAULT_SCENARIO);
    moto = await startMoto({
      accountId: scenario.account,
      multiAccount: { organizationId: scenario.organizationId },
    });
    await seedAccountRoles(scenario, { endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('the matching hub function with the external id may assume its member role (the control)', async () => {
    const { AssumedRoleUser } = await assumeMember(
      await asHubFunction('isolate-pod'),
      'isolate-pod',
      EXTERNAL_ID,
    );
    expect(AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/tourniquet-member-isolate-pod/attempt`,
    );
  });

  it('a member role cannot be assumed without the external id', async () => {
    await expect(
      assumeMember(await asHubFunction('isolate-pod'), 'isolate-pod'),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('a member role cannot be assumed with another external id', async () => {
    await expect(
      assumeMember(await asHubFunction('isolate-pod'), 'isolate-pod', 'guessed-external-id'),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it("a member role cannot be assumed by another hub function (label-pod asking for isolate-pod's role)", async () => {
    await expect(
      assumeMember(await asHubFunction('label-pod'), 'isolate-pod', EXTERNAL_ID),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it("a member role cannot be assumed with the hub account's other credentials", async () => {
    await expect(assumeMember(sts(), 'isolate-pod', EXTERNAL_ID)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});
