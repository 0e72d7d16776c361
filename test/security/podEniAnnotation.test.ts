import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { getAction } from '@tourniquet/actions';
import { parseConfig } from '@tourniquet/core';
import { LocalWorld, loadScenario } from '@tourniquet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/events';

const ANNOTATION = 'vpc.amazonaws.com/pod-eni';
let world: LocalWorld;
beforeAll(async () => {
  world = await LocalWorld.start({
    config: parseConfig(
      JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')),
    ),
    scenario: await loadScenario(join(REPO_ROOT, 'packages/testkit/scenarios/enforcers.yaml')),
  });
});
afterAll(async () => world?.stop());

const isolate = getAction('isolate-pod');
const annotationOf = (cluster: string, name: string) =>
  (world.simulator(cluster).get('v1', 'Pod', 'shop', name) as any).metadata.annotations[
    ANNOTATION
  ] as string;
const eniOf = (cluster: string, name: string) =>
  (JSON.parse(annotationOf(cluster, name)) as Array<{ eniId: string }>)[0]?.eniId as string;
const groupsOf = async (eniId: string) => {
  const { NetworkInterfaces = [] } = await world
    .aws('us-east-1')
    .ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
  return (NetworkInterfaces[0]?.Groups ?? []).map((g) => g.GroupId);
};
const setAnnotation = (cluster: string, name: string, value: string) =>
  world
    .kubeConfig(cluster)
    .makeApiClient(CoreV1Api)
    .patchNamespacedPod(
      { namespace: 'shop', name, body: { metadata: { annotations: { [ANNOTATION]: value } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

/** Isolates the pod with its annotation rewritten to name `eniId`, then undoes and restores. */
async function isolateWithAnnotation(cluster: string, name: string, eniId: string) {
  const original = annotationOf(cluster, name);
  const forged = JSON.stringify([{ ...JSON.parse(original)[0], eniId }]);
  await setAnnotation(cluster, name, forged);
  const ctx = world.context({
    incidentKey: `111122223333:us-east-1:${cluster}:pod:shop/${name}`,
    clusterName: cluster,
  });
  try {
    return await isolate.apply(ctx, { kind: 'pod', namespace: 'shop', name, uid: null });
  } finally {
    await isolate.undo(ctx);
    await setAnnotation(cluster, name, original);
  }
}

describe('red team: steering the quarantine swap through the pod-eni annotation', () => {
  it('a pod-eni annotation naming the same-IP branch ENI of a cluster in another VPC is not swapped', async () => {
    // Both clusters use 10.0.0.0/16 and both web pods hold 10.0.12.77.
    const foreign = eniOf('vpccni-strict', 'web-5b8c9d7f4-aaaaa');
    const own = eniOf('none-standard', 'web-5b8c9d7f4-bbbbb');
    const foreignBefore = await groupsOf(foreign);
    const original = annotationOf('none-standard', 'web-5b8c9d7f4-bbbbb');
    await setAnnotation(
      'none-standard',
      'web-5b8c9d7f4-bbbbb',
      JSON.stringify([{ ...JSON.parse(original)[0], eniId: foreign }]),
    );
    const ctx = world.context({
      incidentKey: '111122223333:us-east-1:none-standard:pod:shop/web-5b8c9d7f4-bbbbb',
      clusterName: 'none-standard',
    });
    const target = {
      kind: 'pod' as const,
      namespace: 'shop',
      name: 'web-5b8c9d7f4-bbbbb',
      uid: null,
    };
    try {
      const applied = await isolate.apply(ctx, target);
      expect(applied.data?.branchEni).toBe(own);
      expect(await groupsOf(foreign)).toEqual(foreignBefore);
      expect(await groupsOf(own)).toEqual([world.seeded.physical('sg-0bb0000000000b002')]);
    } finally {
      await isolate.undo(ctx);
      await setAnnotation('none-standard', 'web-5b8c9d7f4-bbbbb', original);
    }
  });

  it("a pod-eni annotation naming another workload's branch ENI in the same VPC is not swapped", async () => {
    const db = eniOf('vpccni-strict', 'db-7c9d8e6f5-aaaaa');
    const own = eniOf('vpccni-strict', 'web-5b8c9d7f4-aaaaa');
    const dbBefore = await groupsOf(db);
    const applied = await isolateWithAnnotation('vpccni-strict', 'web-5b8c9d7f4-aaaaa', db);
    expect(applied.data?.branchEni).toBe(own);
    expect(await groupsOf(db)).toEqual(dbBefore);
  });
});
