import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MOTO_DISPATCH_PATCH } from '../src/emulators/motoPatches';
import { motoPython } from '../src/emulators/motoPython';

/**
 * In moto's own Python: how its server routes hosts to services before and after the patch, and
 * which directories it lists while routing once patched.
 */
const work = (patched: boolean) => `
import json, os
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
hosts = ["dynamodb", "ec2", "sts", "moto_api", "iam.amazonaws.com",
    "ec2.eu-west-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com", "example.com", None]
app = DomainDispatcherApplication(create_backend_app)
before = [app.get_backend_for_host(host) for host in hosts]
modules = list(backends.list_of_moto_modules())
${patched ? 'patch_module_list()' : ''}
listed = []
_listdir = os.listdir
def listdir(path="."):
    listed.append(str(path))
    return _listdir(path)
os.listdir = listdir
after = [[app.get_backend_for_host(host) for host in hosts] for _ in range(3)]
print(json.dumps({"before": before, "after": after, "modules": modules,
    "again": list(backends.list_of_moto_modules()), "listed": len(listed)}))
`;

async function run(patched: boolean) {
  const result = spawnSync(await motoPython(), ['-c', MOTO_DISPATCH_PATCH + work(patched)], {
    encoding: 'utf8',
  });
  expect(result.stderr).not.toMatch(/Traceback/);
  return JSON.parse(result.stdout) as {
    before: (string | null)[];
    after: (string | null)[][];
    modules: string[];
    again: string[];
    listed: number;
  };
}

describe('moto routes a request without listing its package folder each time', () => {
  it('unpatched, every routed request lists the folder (what the patch removes)', async () => {
    const { listed } = await run(false);
    expect(listed).toBeGreaterThanOrEqual(3 * 7);
  });

  it('patched, no folder is listed and every host goes to the same service as before', async () => {
    const { before, after, modules, again, listed } = await run(true);
    expect(listed).toBe(0);
    expect(before.slice(0, 7)).toEqual([
      'dynamodb',
      'ec2',
      'sts',
      'moto_api',
      'iam',
      'ec2',
      'dynamodb',
    ]);
    for (const round of after) expect(round).toEqual(before);
    expect(again).toEqual(modules);
    expect(modules).toContain('dynamodb');
  });
});
