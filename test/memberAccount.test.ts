import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { runActionRequest } from '@tourniquet/actions';
import {
  awsClientConfig,
  DynamoActionJournal,
  DynamoIncidentStore,
  ensureIncidentTable,
} from '@tourniquet/aws';
import {
  createPlanner,
  functionArnsFor,
  incidentLabel,
  parseConfig,
  triage,
} from '@tourniquet/core';
import {
  approveAll,
  LOCAL_CREDENTIALS,
  LocalPlaybookStarter,
  type LocalTicketing,
  LocalWorld,
  startLocalTicketing,
} from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, REPO_ROOT } from './helpers/events';

const HUB = '111122223333';
const MEMBER = '222233334444';
const EXTERNAL_ID = 'tourniquet-local-hub';
const POD_IP = '10.30.4.88';
const INCIDENTS_TABLE = 'tourniquet-hub-incidents';
const config = parseConfig(
  JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
);

/**
 * Done when: a member-account finding replays end to end in the two-account emulators — the
 * action runs with the member role and the incident lands in the hub. moto plays both accounts;
 * the member's resources are only reachable with credentials for the member account.
 */
describe('Member-account finding, end to end (hub 111122223333, member 222233334444)', () => {
  let world: LocalWorld;
  let ticketing: LocalTicketing;
  let store: DynamoIncidentStore;
  let incidentKey: string;
  let status: string;
  const base = () => ({
    ...awsClientConfig({ region: 'us-east-1', endpoint: world.moto.endpoint }),
    credentials: LOCAL_CREDENTIALS,
  });

  /** What an operator would do: the hub function's role, then the member role with the external id. */
  async function memberCredentials(action: string) {
    const hubFunction = await new STSClient(base()).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${HUB}:role/tourniquet-local-${action}`,
        RoleSessionName: 'test-hub-function',
      }),
    );
    const asFunction = new STSClient({
      ...base(),
      credentials: {
        accessKeyId: hubFunction.Credentials?.AccessKeyId as string,
        secretAccessKey: hubFunction.Credentials?.SecretAccessKey as string,
        sessionToken: hubFunction.Credentials?.SessionToken,
      },
    });
    const member = await asFunction.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MEMBER}:role/tourniquet-member-${action}`,
        RoleSessionName: 'test-reader',
        ExternalId: EXTERNAL_ID,
      }),
    );
    return {
      accessKeyId: member.Credentials?.AccessKeyId as string,
      secretAccessKey: member.Credentials?.SecretAccessKey as string,
      sessionToken: member.Credentials?.SessionToken,
    };
  }

  beforeAll(async () => {
    world = await LocalWorld.start({ config });
    const dynamo = new DynamoDBClient(base());
    await ensureIncidentTable(dynamo, INCIDENTS_TABLE);
    store = new DynamoIncidentStore({ client: dynamo, tableName: INCIDENTS_TABLE });
    ticketing = await startLocalTicketing({
      sinks: [],
      store,
      aws: { endpoint: world.moto.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
    });
    const playbooks = new LocalPlaybookStarter({
      runtime: world.runtime(),
      functions: functionArnsFor('tourniquet'),
      approver: ticketing.recordApprovals(approveAll),
      desk: ticketing.desk,
    });
    const result = await triage(
      world.seeded.translate(loadEvent('guardduty/runtime-reverse-shell-member-account.json')),
      createPlanner(world.config),
      ticketing.recordIncidents(playbooks),
      new Date('2026-11-23T12:00:00Z'),
    );
    incidentKey = result.plan.incidentKey;
    expect(result.plan.playbook).toBe('contain-pod');
    const execution = await playbooks.execution(result.execution?.executionName as string);
    status = execution.status;
  });
  afterAll(async () => {
    await ticketing?.stop();
    await world?.stop();
  });

  it('the playbook succeeds', () => {
    expect(status).toBe('SUCCEEDED');
  });

  it("the pod's branch ENI is quarantined in the member account, read with the member role", async () => {
    const credentials = await memberCredentials('isolate-pod');
    const sts = new STSClient({ ...base(), credentials });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/tourniquet-member-isolate-pod/test-reader`,
    );
    const ec2 = new EC2Client({ ...base(), credentials });
    const { NetworkInterfaces = [] } = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'addresses.private-ip-address', Values: [POD_IP] }],
      }),
    );
    const branch = NetworkInterfaces.find((e) => e.Description === 'aws-k8s-branch-eni');
    expect(branch?.OwnerId).toBe(MEMBER);
    expect(branch?.Groups?.map((g) => g.GroupId)).toEqual([
      world.seeded.physical('sg-0badc0ffee0000003'),
    ]);
    // The hub account has no such interface: the change cannot have been made there.
    const hub = await new EC2Client(base()).send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'addresses.private-ip-address', Values: [POD_IP] }],
      }),
    );
    expect(hub.NetworkInterfaces).toEqual([]);
  });

  it("evidence snapshots are the member's, tagged with the incident", async () => {
    const ec2 = new EC2Client({
      ...base(),
      credentials: await memberCredentials('capture-evidence'),
    });
    const { Snapshots = [] } = await ec2.send(
      new DescribeSnapshotsCommand({
        Filters: [{ Name: 'tag:tourniquet.io/incident', Values: [incidentLabel(incidentKey)] }],
      }),
    );
    expect(Snapshots.length).toBeGreaterThanOrEqual(1);
    expect(Snapshots.every((s) => s.OwnerId === MEMBER)).toBe(true);
  });

  it('the member roles of the actions that ran were used; one for an action that did not run was not', async () => {
    const iam = new IAMClient({ ...base(), credentials: await memberCredentials('label-pod') });
    const lastUsed = async (action: string) =>
      (await iam.send(new GetRoleCommand({ RoleName: `tourniquet-member-${action}` }))).Role
        ?.RoleLastUsed?.LastUsedDate;
    expect(await lastUsed('isolate-pod')).toBeInstanceOf(Date);
    expect(await lastUsed('protect-node')).toBeInstanceOf(Date);
    expect(await lastUsed('disable-public-endpoint')).toBeUndefined();
  });

  it("the incident lands in the hub account's incidents table, naming the member account", async () => {
    const record = await store.get(incidentKey);
    expect(record?.incident).toMatchObject({
      key: incidentKey,
      account: MEMBER,
      cluster: 'shop-eks-03',
      subject: 'pod shop/storefront-5c7d9f8b6-k4vmn',
    });
    expect(record?.actions.find((a) => a.action === 'isolate-pod')).toMatchObject({
      status: 'applied',
    });
  });

  it('the step journal (in the hub) records the member account, so undo acts there', async () => {
    const entries = await world.journal.list(incidentKey, 'isolate-pod');
    expect(entries.map((e) => e.account)).toEqual([MEMBER]);
    const journal = new DynamoActionJournal({
      client: new DynamoDBClient(base()),
      tableName: 'tourniquet-local-incidents',
    });
    expect((await journal.list(incidentKey)).length).toBeGreaterThan(0);
  });

  it("release (undo) restores the branch ENI's groups in the member account, from the journal", async () => {
    const outcome = await runActionRequest(
      { mode: 'undo', action: 'isolate-pod', incidentKey },
      world.runtime(),
    );
    expect(outcome).toMatchObject({ status: 'applied' });
    const ec2 = new EC2Client({ ...base(), credentials: await memberCredentials('isolate-pod') });
    const { NetworkInterfaces = [] } = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'addresses.private-ip-address', Values: [POD_IP] }],
      }),
    );
    const branch = NetworkInterfaces.find((e) => e.Description === 'aws-k8s-branch-eni');
    expect(branch?.Groups?.map((g) => g.GroupId)).toEqual([
      world.seeded.physical('sg-0c0ffee000000c001'),
    ]);
  });
});
