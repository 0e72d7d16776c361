import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { readEventInputs } from '@tourniquet/cli';
import { parseConfig } from '@tourniquet/core';
import { approveAll, type LocalWorld, replay } from '@tourniquet/testkit';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/events';

/**
 * Attacks that try to make Tourniquet cut itself off from a cluster: a Config finding (which
 * anyone able to change the cluster's endpoint, or to forge the rule's evaluation, can raise)
 * asks for the public endpoint to be turned off, and on-call approves what the request shows.
 */
describe('Red team: Tourniquet cannot be made to lock itself out of a cluster', () => {
  it('an approved eks-endpoint-no-public-access finding on a publicly reached cluster leaves its endpoint on', async () => {
    const inputs = await readEventInputs(
      ['events/config/eks-endpoint-no-public-access-staging-first-evaluation.json'],
      REPO_ROOT,
    );
    const records: Array<{ actions: Array<{ action: string; status: string; detail: string }> }> =
      [];
    let world: LocalWorld | null = null;
    try {
      const result = await replay({
        inputs,
        config: parseConfig({}),
        approver: approveAll,
        onRecord: (r) => records.push(r),
        onRejected: (source, problem) => {
          throw new Error(`${source}: ${problem}`);
        },
        keepWorld: true,
      });
      world = result.world;
      const step = records[0]?.actions.find((a) => a.action === 'disable-public-endpoint');
      expect(step?.status).toBe('skipped');
      expect(step?.detail).toContain(
        'refused: Tourniquet reaches staging-eks-02 through its public endpoint',
      );
      const { cluster } = await (world as LocalWorld)
        .aws('us-west-2')
        .eks.send(new DescribeClusterCommand({ name: 'staging-eks-02' }));
      expect(cluster?.resourcesVpcConfig?.endpointPublicAccess).not.toBe(false);
    } finally {
      await (world as LocalWorld | null)?.stop();
    }
  });
});
