import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { permissionsMarkdown, rbacYaml } from '../scripts/permissionsDoc';
import { REPO_ROOT } from './helpers/events';

describe('docs/permissions.md and docs/rbac.yaml', () => {
  it('are current (regenerate with npm run docs:permissions)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs/permissions.md'), 'utf8')).toBe(
      permissionsMarkdown(),
    );
    expect(readFileSync(join(REPO_ROOT, 'docs/rbac.yaml'), 'utf8')).toBe(rbacYaml());
  });

  it('list every action with its IAM actions and Kubernetes verbs', () => {
    const doc = permissionsMarkdown();
    expect(doc).toMatch(
      /\| `cordon-node` \| ec2:DescribeInstances, eks:DescribeCluster on \*<br>.*\| get, list, patch nodes<br>get pods \|/,
    );
    expect(doc).toMatch(/\| `isolate-pod` \|.*ec2:ModifyNetworkInterfaceAttribute on .*ec2:Vpc/);
  });
});
