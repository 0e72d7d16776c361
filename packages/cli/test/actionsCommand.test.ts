import { REPO_ROOT } from '@tourniquet/core/testkit';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: REPO_ROOT,
  });
  return { code, stdout, stderr };
}

describe('CLI: tourniquet actions', () => {
  it('lists every action with its parameters schema, permissions and example (--json)', async () => {
    const { code, stdout } = await run(['actions', '--json']);
    expect(code).toBe(0);
    const records = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(13);
    const isolate = records.find((r) => r.name === 'isolate-pod');
    expect(isolate.parameters).toMatchObject({
      type: 'object',
      required: ['kind', 'namespace', 'name', 'uid'],
    });
    expect(isolate.permissions.iam).toContain('ec2:ModifyNetworkInterfaceAttribute');
    expect(isolate.permissions.kubernetes).toContain('get,create,delete networkpolicies');
    const cordon = records.find((r) => r.name === 'cordon-node');
    // Reads the instance's protect tag; it cannot change anything in AWS, let alone IAM.
    expect(cordon.permissions.iam).toEqual(['ec2:DescribeInstances']);
    const revoke = records.find((r) => r.name === 'revoke-role-sessions');
    // IAM, plus one EC2 read: how many instances share a node role, for the approval request.
    expect(revoke.permissions.iam.filter((a: string) => !a.startsWith('iam:'))).toEqual([
      'ec2:DescribeIamInstanceProfileAssociations',
    ]);
    const quarantine = records.find((r) => r.name === 'quarantine-instance-profile');
    expect(quarantine.permissions.iam).toContain('ec2:ReplaceIamInstanceProfileAssociation');
  });

  it('shows one action in readable form, and names an unknown one', async () => {
    const { stdout } = await run(['actions', 'cordon-node']);
    expect(stdout).toMatch(/^cordon-node\n {2}Mark the node unschedulable/);
    const bad = await run(['actions', 'nuke']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown action 'nuke'; known: label-pod/);
  });
});
