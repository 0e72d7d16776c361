import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  awsClientConfig,
  eksToken,
  MemberCredentials,
  type MemberSession,
  memberCredentialsFrom,
} from '@tourniquet/aws';
import {
  DEFAULT_SCENARIO,
  hubFunctionRoleArn,
  LOCAL_CREDENTIALS,
  loadScenario,
  type MotoServer,
  seedAccountRoles,
  startMoto,
} from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HUB = '111122223333';
const MEMBER = '222233334444';

/**
 * The credentials an action Lambda uses in a member account: its own role's credentials assume
 * the member role (with the external id and a session name naming the incident), are cached
 * until shortly before they expire, and also sign the EKS token the member's cluster sees.
 */
describe('Member credentials (STS AssumeRole in the two-account emulator)', () => {
  let moto: MotoServer;
  let now = new Date();
  const session: MemberSession = {
    account: MEMBER,
    action: 'cordon-node',
    roleArn: `arn:aws:iam::${MEMBER}:role/tourniquet-member-cordon-node`,
    externalId: 'tourniquet-local-hub',
    sessionName: 'tourniquet-tq-0123456789abcdef-cordon-node',
  };
  const hubFunction = () =>
    memberCredentialsFrom(LOCAL_CREDENTIALS, { endpoint: moto.endpoint }).provider({
      account: HUB,
      action: 'cordon-node',
      roleArn: hubFunctionRoleArn(HUB, 'cordon-node'),
      sessionName: 'hub-function',
    });

  beforeAll(async () => {
    const scenario = await loadScenario(DEFAULT_SCENARIO);
    moto = await startMoto({
      accountId: HUB,
      multiAccount: { organizationId: scenario.organizationId },
    });
    await seedAccountRoles(scenario, { endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => moto?.stop());

  it('assumes the member role as the hub function, and the calls are the member account', async () => {
    const members = memberCredentialsFrom(hubFunction(), { endpoint: moto.endpoint });
    const sts = new STSClient({
      ...awsClientConfig({ endpoint: moto.endpoint }),
      credentials: members.provider(session),
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/tourniquet-member-cordon-node/${session.sessionName}`,
    );
  });

  it('reuses credentials until five minutes before they expire, then assumes the role again', async () => {
    const clock = () => now;
    const sts = new STSClient({
      ...awsClientConfig({ endpoint: moto.endpoint }),
      credentials: hubFunction(),
    });
    const members = new MemberCredentials(sts, clock);
    now = new Date();
    const first = await members.get(session);
    expect((await members.get(session)).accessKeyId).toBe(first.accessKeyId);
    now = new Date((first.expiration as Date).getTime() - 4 * 60_000);
    expect((await members.get(session)).accessKeyId).not.toBe(first.accessKeyId);
  });

  it("the EKS token for a member cluster is signed with the member role's credentials", async () => {
    const members = memberCredentialsFrom(hubFunction(), { endpoint: moto.endpoint });
    const credentials = await members.get(session);
    const token = await eksToken({
      clusterName: 'shop-eks-03',
      region: 'us-east-1',
      credentials: members.provider(session),
    });
    const url = new URL(Buffer.from(token.replace('k8s-aws-v1.', ''), 'base64url').toString());
    expect(url.searchParams.get('X-Amz-Credential')?.split('/')[0]).toBe(credentials.accessKeyId);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
  });

  it('a session the member role does not trust fails with AccessDenied before any other call', async () => {
    const members = memberCredentialsFrom(hubFunction(), { endpoint: moto.endpoint });
    await expect(
      members.get({ ...session, externalId: undefined, sessionName: 'no-external-id' }),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
