import { readFile } from 'node:fs/promises';
import {
  clusterAccessSchema,
  didYouMean,
  type FieldProblem,
  ROUTING_RULES,
  zodProblems,
} from '@tourniquet/core';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ScenarioError } from './scenarioError';
import { crossReferenceProblems } from './scenarioReferences';

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
  /** The primary ENI's id as events name it (GuardDuty `networkInterfaces[].networkInterfaceId`). */
  eniId: id('eni').optional(),
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
  /** The branch ENI's id as events name it (with securityGroups). */
  eniId: id('eni').optional(),
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
  /**
   * EKS `accessConfig.authenticationMode`. moto's DescribeCluster has no accessConfig, so local
   * checks read it from here (docs/aws-behaviours.md).
   */
  authenticationMode: z
    .enum(['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'])
    .default('API_AND_CONFIG_MAP'),
  /**
   * Tourniquet's ClusterRoles and bindings (docs/rbac.yaml) in the cluster: `applied` as
   * generated, `missing`, or `stale` (applied from an older version: each role lacks its last rule).
   */
  rbac: z.enum(['applied', 'missing', 'stale']).default('applied'),
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

/**
 * The account's GuardDuty detector in each region it has clusters in; null: no detector. Seeded
 * only for `tourniquet doctor --local` (moto answers GetDetector with the features as created).
 */
const guardDuty = z
  .strictObject({
    features: z
      .array(z.enum(['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING', 'EKS_RUNTIME_MONITORING']))
      .default(['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING']),
    /** Runtime Monitoring's EKS_ADDON_MANAGEMENT: GuardDuty installs its agent add-on itself. */
    eksAddonManagement: z.boolean().default(true),
  })
  .nullable()
  .default({ features: ['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING'], eksAddonManagement: true });

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
  guardDuty,
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
  guardDuty,
  /**
   * The hub stage as deployed into this world, for `tourniquet doctor --local`: its EventBridge
   * rules (named as infra/ names them) and its dead-letter queue.
   */
  deployment: z
    .strictObject({
      stage: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,20}$/, 'expected a stage name')
        .default('local'),
      /** Routing rules (core's names, e.g. guardduty-eks) left DISABLED. */
      disabledRules: z
        .array(z.enum(ROUTING_RULES.map((r) => r.name) as [string, ...string[]]))
        .default([]),
      /** Messages waiting in the dead-letter queue. */
      deadLetters: z.number().int().min(0).max(100).default(0),
    })
    .default({ stage: 'local', disabledRules: [], deadLetters: 0 }),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioCluster = Scenario['clusters'][number];
export type ScenarioNode = ScenarioCluster['nodes'][number];
export type ScenarioPod = ScenarioCluster['pods'][number];
export type ScenarioMember = Scenario['accounts'][number];

/** Where a key path sits in the file (`file:line:column`), when the scenario came from one. */
export type Locate = (path: readonly string[]) => string | null;

/**
 * Validates a scenario document; every problem names the key, the scenario (`source`) and, with
 * `locate`, the line and column (a ScenarioError, which is a ConfigError).
 */
export function parseScenario(document: unknown, source = 'scenario', locate?: Locate): Scenario {
  const where = (path: string) => {
    const at = locate?.(path === '' ? [] : path.split('.'));
    return ` (in ${at ?? source})`;
  };
  const fail = (problems: FieldProblem[]): never => {
    throw new ScenarioError(
      problems.map((p) => ({ ...p, message: `${p.message}${where(p.path)}` })),
    );
  };
  const result = scenarioSchema.safeParse(document);
  if (!result.success) fail(scenarioProblems(result.error));
  const scenario = result.data as Scenario;
  const problems = crossReferenceProblems(scenario);
  if (problems.length > 0) fail(problems);
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
  return parseScenarioText(text, shownAs);
}

/** Parses a scenario's YAML or JSON text; problems name `shownAs:line:column`. */
export function parseScenarioText(text: string, shownAs: string): Scenario {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [syntax] = document.errors;
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new ScenarioError([
      {
        path: '',
        message: `${shownAs}:${line}:${col} is not YAML or JSON: ${syntax.message.split('\n')[0]}`,
      },
    ]);
  }
  const locate: Locate = (path) => {
    const offset = offsetOf(document, path);
    if (offset === null) return null;
    const { line, col } = lines.linePos(offset);
    return `${shownAs}:${line}:${col}`;
  };
  return parseScenario(document.toJS(), shownAs, locate);
}

/**
 * Where a path points in the document: the key of the deepest map entry it reaches (so an
 * unknown key is found at the key itself), else the deepest node's start.
 */
function offsetOf(document: Document, path: readonly string[]): number | null {
  let node: unknown = document.contents;
  let offset: number | null = (node as { range?: [number] } | null)?.range?.[0] ?? null;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === step);
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(step)];
      if (!item) break;
      offset = (item as { range?: [number] }).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
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
