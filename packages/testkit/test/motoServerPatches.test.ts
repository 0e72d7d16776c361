import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOTO_SERVER_PATCHES } from '../src/emulators/motoPatches';
import { motoPython } from '../src/emulators/motoPython';

/**
 * Each script runs in moto's own Python. It counts the work one patch removes, records moto's
 * answers unpatched, applies the patch, records them again (three rounds where repeating is the
 * point), and prints answers and counts as JSON.
 */
const ROUTING = `
import json, os
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
hosts = ["dynamodb", "ec2", "sts", "moto_api", "iam.amazonaws.com",
    "ec2.eu-west-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com", "example.com", None]
app = DomainDispatcherApplication(create_backend_app)
app.get_backend_for_host("sts")
listed = []
_listdir = os.listdir
def listdir(path="."):
    listed.append(str(path))
    return _listdir(path)
os.listdir = listdir
before = [app.get_backend_for_host(host) for host in hosts]
modules = list(backends.list_of_moto_modules())
unpatched = len(listed)
patch_module_list()
del listed[:]
after = [[app.get_backend_for_host(host) for host in hosts] for _ in range(3)]
print(json.dumps({"before": before, "after": after, "unpatched": unpatched, "patched": len(listed),
    "extra": [modules, list(backends.list_of_moto_modules())]}))
`;

const BOTOCORE = `
import json, boto3
from botocore import loaders
def answers():
    return [boto3.session.Session().get_available_regions(service) for service in ("ec2", "eks", "sts")] + \\
        [boto3.session.Session().get_available_partitions()]
decoded = []
_load = loaders.JSONFileLoader._load_file
def load(self, full_path, open_method):
    decoded.append(full_path)
    return _load(self, full_path, open_method)
loaders.JSONFileLoader._load_file = load
answers()
del decoded[:]
before = answers()
unpatched = len(decoded)
patch_botocore_files()
answers()
del decoded[:]
after = [answers() for _ in range(3)]
print(json.dumps({"before": before, "after": after, "unpatched": unpatched, "patched": len(decoded),
    "extra": [len(before[0])]}))
`;

const EC2_TAGS = `
import json, boto3
from moto import mock_aws
from moto.ec2.models.tags import TagBackend
with mock_aws():
    ec2 = boto3.client("ec2", region_name="us-east-1")
    volume = ec2.create_volume(Size=8, AvailabilityZone="us-east-1a")["VolumeId"]
    tagged = ec2.create_snapshot(VolumeId=volume, Description="evidence")["SnapshotId"]
    plain = ec2.create_snapshot(VolumeId=volume, Description="plain")["SnapshotId"]
    ec2.create_tags(Resources=[tagged], Tags=[{"Key": "incident", "Value": "i-1"}, {"Key": "b", "Value": "2"}])
    ec2.create_tags(Resources=[volume], Tags=[{"Key": "incident", "Value": "i-1"}, {"Key": "a", "Value": "1"}])
    def answers():
        snaps = ec2.describe_snapshots(Filters=[{"Name": "tag:incident", "Values": ["i-1"]}])["Snapshots"]
        by_id = ec2.describe_snapshots(SnapshotIds=[tagged, plain])["Snapshots"]
        volumes = ec2.describe_volumes(Filters=[{"Name": "tag-key", "Values": ["a"]}])["Volumes"]
        owned = ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "status", "Values": ["completed"]}])["Snapshots"]
        shape = lambda item: {k: item.get(k) for k in ("SnapshotId", "VolumeId", "Tags")}
        return [[shape(s) for s in snaps], [shape(s) for s in by_id], [shape(v) for v in volumes],
            sorted(s["SnapshotId"] for s in owned)]
    scans = []
    _describe_tags = TagBackend.describe_tags
    def describe_tags(self, filters=None):
        scans.append(filters)
        return _describe_tags(self, filters)
    TagBackend.describe_tags = describe_tags
    before = answers()
    unpatched = len(scans)
    patch_ec2_tags()
    del scans[:]
    after = [answers()]
    print(json.dumps({"before": before, "after": after, "unpatched": unpatched, "patched": len(scans),
        "extra": [len(before[0]), len(before[3])]}))
`;

/** Four lookups in one process: each section counts its work, unpatched then patched. */
const LOOKUPS = `
import json, inspect, boto3
from moto import mock_aws
from moto.core.config import default_user_config
from botocore import loaders
from botocore.exceptions import ClientError
import jsonpath_ng.ext
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
out = {}
def measure(name, counted, answers, patch):
    del counted[:]
    before = answers()
    unpatched = len(counted)
    patch()
    answers()
    del counted[:]
    after = [answers() for _ in range(3)]
    out[name] = {"before": before, "after": after, "unpatched": unpatched, "patched": len(counted), "extra": []}
def counting(owner, name, calls):
    original = getattr(owner, name)
    def counted(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)
    setattr(owner, name, counted)
with mock_aws():
    members = []
    counting(inspect, "getmembers", members)
    sts = boto3.client("sts", region_name="us-east-1")
    dynamo = boto3.client("dynamodb", region_name="us-east-1")
    measure("action lookup", members, lambda: [sts.get_caller_identity()["Arn"],
        dynamo.list_tables()["TableNames"], sts.get_caller_identity()["Account"]], patch_action_lookup)
    walks = []
    counting(loaders.Loader, "_potential_locations", walks)
    measure("service list", walks, lambda: [loaders.create_loader().list_available_services("service-2")[:50],
        loaders.create_loader().list_available_services("endpoint-rule-set-1")[:50]], patch_service_list)
    parses = []
    counting(jsonpath_ng.ext.parser.ExtentedJsonPathParser, "__init__", parses)
    event = {"detail": {"resource": {"kubernetesDetails": {"kubernetesWorkloadDetails": {"name": "web"}}}}, "id": "e-1"}
    measure("jsonpath", parses, lambda: [[m.value for m in jsonpath_ng.ext.parse(path).find(event)]
        for path in ("$.id", "$.detail.resource.kubernetesDetails.kubernetesWorkloadDetails.name", "$.missing")],
        patch_jsonpath)
    asl = []
    counting(AmazonStateLanguageParser, "parse", asl)
    default_user_config["stepfunctions"] = {"execute_state_machine": True}  # as the tests run it
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    role = "arn:aws:iam::123456789012:role/sfn"
    good = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    bad = json.dumps({"States": {"Done": {"Type": "Succeed"}}})  # no StartAt
    names = iter(range(100))
    def machines():
        made = sfn.create_state_machine(name="m%d" % next(names), definition=good, roleArn=role)
        try:
            sfn.create_state_machine(name="bad%d" % next(names), definition=bad, roleArn=role)
            refused = None
        except ClientError as error:
            refused = error.response["Error"].get("Message", "")[:len("Error=ValueError")]
        return [made["stateMachineArn"].split(":")[-1][:1], refused]
    measure("state machine check", asl, machines, patch_state_machine_check)
    print(json.dumps(out))
`;

/** As the project's servers run moto: without its default public AMIs. */
const WITHOUT_AMIS = { ...process.env, MOTO_EC2_LOAD_DEFAULT_AMIS: 'false' };

interface Outcome {
  before: unknown;
  after: unknown[];
  /** How often the work the patch removes was done, before and after it was applied. */
  unpatched: number;
  patched: number;
  extra: unknown[];
}

async function run<T = Outcome>(script: string): Promise<T> {
  const result = spawnSync(await motoPython(), ['-c', MOTO_SERVER_PATCHES + script], {
    encoding: 'utf8',
    env: WITHOUT_AMIS,
  });
  expect(result.stderr).not.toMatch(/Traceback/);
  return JSON.parse(result.stdout) as T;
}

describe("moto's server without the lookups it repeats on every request", () => {
  it('routing: unpatched, every request lists the package folder; patched, none does, same services', async () => {
    const { before, after, unpatched, patched, extra } = await run(ROUTING);
    expect(unpatched).toBeGreaterThanOrEqual(7);
    expect(patched).toBe(0);
    expect((before as string[]).slice(0, 7)).toEqual([
      'dynamodb',
      'ec2',
      'sts',
      'moto_api',
      'iam',
      'ec2',
      'dynamodb',
    ]);
    for (const round of after) expect(round).toEqual(before);
    expect(extra[1]).toEqual(extra[0]);
    expect(extra[0]).toContain('dynamodb');
  });

  it('botocore files: unpatched, each new session decodes them again; patched, none, same regions', async () => {
    const { before, after, unpatched, patched, extra } = await run(BOTOCORE);
    expect(unpatched).toBeGreaterThanOrEqual(4);
    expect(patched).toBe(0);
    expect(extra[0]).toBeGreaterThan(10); // ec2's regions
    for (const round of after) expect(round).toEqual(before);
  });

  it('EC2 tags: unpatched, Describe calls scan every tag per resource; patched, none, same answers', async () => {
    const { before, after, unpatched, patched, extra } = await run(EC2_TAGS);
    expect(unpatched).toBeGreaterThan(2);
    expect(patched).toBe(0);
    expect(extra[0]).toBe(1); // the tagged snapshot, by its tag
    expect(extra[1]).toBe(2); // both of ours
    expect(after[0]).toEqual(before);
  });

  describe('four more lookups, each unpatched and patched in one process', () => {
    let outcomes: Record<string, Outcome>;
    beforeAll(async () => {
      outcomes = await run<Record<string, Outcome>>(LOOKUPS);
    });

    it.each([
      ['action lookup', 'the response class is listed for each request'],
      ['service list', 'each new loader walks the data folders'],
      ['jsonpath', 'each path gets a new parser'],
      ['state machine check', 'every CreateStateMachine parses its definition'],
    ])('%s: unpatched, %s; patched, not again, same answers', (name) => {
      const outcome = outcomes[name] as Outcome;
      expect(outcome.unpatched).toBeGreaterThanOrEqual(2);
      expect(outcome.patched).toBe(name === 'state machine check' ? 3 : 0);
      for (const round of outcome.after) expect(round).toEqual(outcome.before);
    });

    it('an invalid definition is still refused every time, and a valid one accepted', () => {
      const { before, after } = outcomes['state machine check'] as Outcome;
      expect(before).toEqual(['m', 'Error=ValueError']);
      expect(after).toHaveLength(3);
    });
  });
});
