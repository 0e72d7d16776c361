import { readFile } from 'node:fs/promises';
import { clusterAccessSchema, didYouMean, type FieldProblem, zodProblems } from '@tourniquet/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ScenarioError } from './scenarioError';

const id = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `expected a ${prefix}- id`);
const ip = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'expected an IPv4 address');
const stringMap = z.record(z.string(), z.string()).default({});

const ingressRule = z.strictObject({
  protocol: z.string().default('tcp'),
  from: z.number().int().optional(),
  to: z.number().int().optional(),
  cidr: z.string(),
});

const node = z.strictObject({
  name: z.string(),
  instanceId: id('i'),
  ip,
  subnet: id('subnet'),
  az: z.string().optional(),
  securityGroups: z.array(id('sg')).default([]),
  instanceProfile: z.string().optional(),
  spot: z.boolean().default(false),
  /** EBS volumes besides the root volume. */
  extraVolumes: z.number().int().min(0).default(0),
  tags: stringMap,
  labels: stringMap,
  unschedulable: z.boolean().default(false),
});

const pod = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  uid: z.string().optional(),
  node: z.string(),
  ip,
  serviceAccount: z.string().default('default'),
  /** Security Groups for Pods: the pod gets a branch ENI with these groups. */
  securityGroups: z.array(id('sg')).optional(),
  hostNetwork: z.boolean().default(false),
  privileged: z.boolean().default(false),
  image: z.string().default('public.ecr.aws/docker/library/busybox:1.36'),
  labels: stringMap,
});

const cluster = z.strictObject({
  name: z.string(),
  region: z.string(),
  version: z.string().default('1.31'),
  oidcIssuer: z.string(),
  /**
   * The API server endpoint as EKS shows it (resourcesVpcConfig); decides what a function outside
   * the VPC can reach. Defaults as EKS: public, open to 0.0.0.0/0, private endpoint off.
   */
  endpoint: z
    .strictObject({
      publicAccess: z.boolean().default(true),
      privateAccess: z.boolean().default(false),
      publicAccessCidrs: z
        .array(z.string().regex(/^[0-9.]+\/\d{1,2}$/, 'expected an IPv4 CIDR block'))
        .min(1)
        .optional(),
    })
    .refine(
      (e) => e.publicAccess || e.privateAccess,
      'EKS needs the public or the private endpoint on',
    )
    .default({ publicAccess: true, privateAccess: false }),
  /**
   * How Tourniquet reaches this cluster (config `clusters[].access`, in the scenario's ids); a
   * `--config` that lists the cluster with its own access wins.
   */
  access: clusterAccessSchema,
  logging: z.array(z.string()).default([]),
  tags: stringMap,
  egressCidrs: z.array(z.string()).default([]),
  /** What enforces NetworkPolicies: seeds the kube-system DaemonSets a real cluster would show. */
  networkPolicyEnforcer: z.enum(['vpc-cni', 'calico', 'cilium', 'none']).default('vpc-cni'),
  /** Security Groups for Pods enforcing mode (aws-node POD_SECURITY_GROUP_ENFORCING_MODE). */
  sgpMode: z.enum(['strict', 'standard']).default('strict'),
  vpc: z.strictObject({ id: id('vpc'), cidr: z.string() }),
  subnets: z.array(z.strictObject({ id: id('subnet'), cidr: z.string(), az: z.string() })).min(1),
  securityGroups: z
    .array(
      z.strictObject({
        id: id('sg'),
        name: z.string(),
        /** The rule-less group isolated ENIs move to. */
        quarantine: z.boolean().default(false),
        ingress: z.array(ingressRule).default([]),
        tags: stringMap,
      }),
    )
    .default([]),
  nodes: z.array(node).default([]),
  serviceAccounts: z
    .array(z.strictObject({ namespace: z.string(), name: z.string(), role: z.string().optional() }))
    .default([]),
  pods: z.array(pod).default([]),
});

const role = z.strictObject({
  name: z.string(),
  /** `ec2` for node roles; `irsa` for a service account of a cluster. */
  trust: z.union([
    z.literal('ec2'),
    z.strictObject({
      irsa: z.strictObject({
        cluster: z.string(),
        namespace: z.string(),
        serviceAccount: z.string(),
      }),
    }),
  ]),
  instanceProfile: z.string().optional(),
  tags: stringMap,
});

/** An AWS Config managed rule as deployed, under whatever name its deployment gave it. */
const configRule = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected a Config rule name'),
  /** The managed rule's `Source.SourceIdentifier`, e.g. EKS_ENDPOINT_NO_PUBLIC_ACCESS. */
  identifier: z.string().regex(/^[A-Z0-9_]+$/, 'expected a managed rule identifier'),
  region: z.string(),
  inputParameters: z.record(z.string(), z.string()).optional(),
});

const accountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id');

/**
 * A member account the hub acts in (through its member roles): its own clusters and roles,
 * seeded into moto as that account.
 */
const memberAccount = z.strictObject({
  account: accountId,
  externalId: z.string().optional(),
  rolePrefix: z.string().optional(),
  clusters: z.array(cluster).min(1),
  roles: z.array(role).default([]),
});

export const scenarioSchema = z.strictObject({
  /** The hub's account (the only one without `accounts`). */
  account: accountId,
  /** The organisation every account is in (the member roles' aws:PrincipalOrgID condition). */
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'expected an organization id such as o-a1b2c3d4e5')
    .optional(),
  clusters: z.array(cluster).min(1),
  roles: z.array(role).default([]),
  configRules: z.array(configRule).default([]),
  accounts: z.array(memberAccount).default([]),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioCluster = Scenario['clusters'][number];
export type ScenarioNode = ScenarioCluster['nodes'][number];
export type ScenarioPod = ScenarioCluster['pods'][number];
export type ScenarioMember = Scenario['accounts'][number];

/** Validates a scenario document; errors name the key (a ScenarioError, which is a ConfigError). */
export function parseScenario(document: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(document);
  if (!result.success) {
    throw new ScenarioError(
      scenarioProblems(result.error).map((p) => ({ ...p, message: `${p.message} (in ${source})` })),
    );
  }
  const scenario = result.data;
  const everyCluster = [
    ...scenario.clusters.map((c, ci) => [c, `clusters.${ci}`] as const),
    ...scenario.accounts.flatMap((m, mi) =>
      m.clusters.map((c, ci) => [c, `accounts.${mi}.clusters.${ci}`] as const),
    ),
  ];
  for (const [mi, m] of scenario.accounts.entries()) {
    if (m.account === scenario.account)
      throw new ScenarioError([
        {
          path: `accounts.${mi}.account`,
          message: `member account ${m.account} is the hub's own account (in ${source})`,
        },
      ]);
  }
  for (const [c, at] of everyCluster) {
    if (c.access?.mode === 'vpc') {
      const subnets = new Set(c.subnets.map((s) => s.id));
      const stray = c.access.subnetIds.find((id) => !subnets.has(id));
      if (stray) {
        throw new ScenarioError([
          {
            path: `${at}.access.subnetIds`,
            message: `${stray} is not a subnet of the cluster's VPC (in ${source})`,
          },
        ]);
      }
    }
    const nodes = new Set(c.nodes.map((n) => n.name));
    for (const [pi, p] of c.pods.entries()) {
      if (!nodes.has(p.node)) {
        throw new ScenarioError([
          {
            path: `${at}.pods.${pi}.node`,
            message: `no node named ${p.node} (in ${source})`,
          },
        ]);
      }
    }
  }
  return scenario;
}

/** Reads a scenario from a JSON or YAML file; `shownAs` is how errors name it. */
export async function loadScenario(file: string, shownAs = file): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
    throw new ScenarioError([{ path: '', message: `cannot read ${shownAs}: ${why ?? error}` }], {
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ScenarioError([
      { path: '', message: `${shownAs} is not YAML or JSON: ${(error as Error).message}` },
    ]);
  }
  return parseScenario(document, shownAs);
}

/** Zod's problems, with a misspelt key named and the closest key the format has suggested. */
function scenarioProblems(error: z.ZodError): FieldProblem[] {
  const known = schemaKeys(scenarioSchema);
  return error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return zodProblems(new z.ZodError([issue]));
    return issue.keys.map((key) => ({
      path: [...issue.path.map(String), key].join('.'),
      message: `unknown key '${key}'${didYouMean(key, known)}`,
    }));
  });
}

/** Every object key anywhere in a schema (for suggestions). */
function schemaKeys(schema: z.core.$ZodType, into = new Set<string>()): Set<string> {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const walk = (inner: unknown) => {
    if (inner && typeof inner === 'object' && '_zod' in inner)
      schemaKeys(inner as z.core.$ZodType, into);
  };
  if (def.type === 'object') {
    for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
      into.add(key);
      walk(value);
    }
  }
  for (const field of ['element', 'innerType', 'valueType', 'in', 'out']) walk(def[field]);
  for (const option of (def.options as unknown[] | undefined) ?? []) walk(option);
  return into;
}
