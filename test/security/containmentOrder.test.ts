import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { PermanentActionError } from '@tourniquet/actions';
import {
  createPlanner,
  functionArnsFor,
  normaliseEvent,
  playbookDefinition,
  playbookInput,
  releasableSteps,
  releaseInput,
} from '@tourniquet/core';
import { approveAll, LocalWorld, MemoryTicketDesk, runPlaybookLocally } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, sampleConfig } from '../helpers/events';

const config = sampleConfig();
const functions = functionArnsFor('tourniquet');

let world: LocalWorld;
beforeAll(async () => {
  world = await LocalWorld.start({ config });
});
afterAll(async () => world?.stop());

const cordoned = () =>
  (
    world.simulator('prod-eks-01').get('v1', 'Node', null, 'ip-10-0-12-34.ec2.internal') as {
      spec?: { unschedulable?: boolean };
    }
  ).spec?.unschedulable === true;

async function podGroups(): Promise<string[][]> {
  const { NetworkInterfaces = [] } = await world.aws('us-east-1').ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.12.77'] }],
    }),
  );
  return NetworkInterfaces.map((e) => (e.Groups ?? []).map((g) => g.GroupId as string));
}

/** contain-pod on the payments pod with one step failing for good, then a release. */
async function contain(failing: string) {
  const event = world.seeded.translate(loadEvent('guardduty/runtime-reverse-shell-payments.json'));
  const plan = createPlanner(world.config).plan(normaliseEvent(event));
  const desk = new MemoryTicketDesk();
  const entered: string[] = [];
  type Snapshot = { groups: string[][]; cordoned: boolean };
  const seen: { snapshot?: Snapshot } = {};
  const execution = await runPlaybookLocally(
    playbookDefinition('contain-pod', functions),
    playbookInput(plan),
    {
      runtime: world.runtime(),
      functions,
      approver: approveAll,
      desk,
      beforeTask: async (state) => {
        // The world as the steps left it, read when the closing ticket update starts.
        if (state === 'Update ticket')
          seen.snapshot = { groups: await podGroups(), cordoned: cordoned() };
        entered.push(state);
        if (state === failing)
          throw new PermanentActionError(`${failing} apply: Forbidden: denied by a webhook`);
      },
    },
  );
  // Leave the world as it was for the next attack: release what this run applied.
  const output = execution.output as NonNullable<typeof execution.output>;
  const { raw: _raw, ...finding } = plan.finding;
  const released = await runPlaybookLocally(
    playbookDefinition('release', functions),
    releaseInput(plan.incidentKey, finding, releasableSteps(output)),
    { runtime: world.runtime(), functions, approver: approveAll, desk: new MemoryTicketDesk() },
  );
  return { execution, desk, entered, released, snapshot: seen.snapshot };
}

describe('Red team: making a step fail to keep the workload reachable', () => {
  it('a workload that makes its labelling fail (a webhook rejecting the label patch) is still isolated, first', async () => {
    const { execution, desk, entered, snapshot, released } = await contain('label-pod');
    expect(entered).toContain('isolate-pod');
    expect(entered.indexOf('isolate-pod')).toBeLessThan(entered.indexOf('label-pod'));
    expect(execution.error?.name).toBe('Tourniquet.Escalated');
    expect(execution.output?.results).toMatchObject({ isolatePod: { status: 'applied' } });
    expect(snapshot?.groups).toEqual([[world.seeded.physical('sg-0badc0ffee0000001')]]);
    expect(desk.pages.map((p) => Object.keys(p.failures ?? {}))).toEqual([['labelPod']]);
    expect(released.status).toBe('SUCCEEDED');
  });

  it('a node whose evidence capture is made to fail is still cordoned and the pod role still revoked', async () => {
    const { execution, desk, snapshot, released } = await contain('capture-evidence');
    expect(execution.error?.name).toBe('Tourniquet.Escalated');
    expect(execution.output?.results).toMatchObject({
      cordonNode: { status: 'applied' },
      revokeRoleSessions: { status: 'applied' },
    });
    expect(snapshot?.cordoned).toBe(true);
    expect(desk.pages.map((p) => Object.keys(p.failures ?? {}))).toEqual([['captureEvidence']]);
    expect(released.status).toBe('SUCCEEDED');
  });
});
