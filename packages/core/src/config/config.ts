import { isIP } from 'node:net';
import { accountsSchema } from '../accounts/memberAccounts';
import { ACTION_NAMES, DESTRUCTIVE_ACTIONS } from '../actions';
import { ConfigError } from '../errors';
import { SEVERITIES } from '../severity';
import * as z from '../zod';
import { zodProblems } from '../zodProblems';
import { clusterAccessSchema } from './access';
import { apiServerEndpointSchema, certificateAuthoritySchema } from './apiServer';

export const DEFAULT_PROTECTED_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'amazon-guardduty',
  'tourniquet',
] as const;

/** Label (pods) and tag (nodes, instances) that exempt a resource from every action. */
export const PROTECT_MARKER = { key: 'tourniquet.io/protect', value: 'true' } as const;

const cidr = z
  .string()
  .check(z.refine(isCidr, 'expected a CIDR block such as 10.0.0.0/16 or 2001:db8::/32'));

const clusterSchema = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'expected an EKS cluster name')),
  account: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit AWS account id')),
  region: z
    .string()
    .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'expected an AWS region such as us-east-1')),
  oidcIssuer: z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((s) => s.replace(/^https:\/\//, '')),
      ),
      z
        .string()
        .check(
          z.regex(
            /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/,
            'expected oidc.eks.<region>.amazonaws.com/id/<ID>',
          ),
        ),
    ),
  ),
  egressCidrs: z._default(z.array(cidr), []),
  quarantineSecurityGroups: z._default(
    z.record(
      z.string().check(z.regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id')),
      z.string().check(z.regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id')),
    ),
    {},
  ),
  /** How Tourniquet reaches the cluster's API server (see ./access). */
  access: clusterAccessSchema,
  /** The API server URL and CA, as DescribeCluster returns them (see ./apiServer); both or neither. */
  endpoint: z.optional(apiServerEndpointSchema),
  certificateAuthority: z.optional(certificateAuthoritySchema),
});

export const configSchema = z.strictObject({
  dryRun: z._default(z.boolean(), false),
  /** Actions that only ever report what they would do. */
  dryRunActions: z._default(z.array(z.enum(ACTION_NAMES)), []),
  protectedNamespaces: z._default(z.array(z.string().check(z.minLength(1))), [
    ...DEFAULT_PROTECTED_NAMESPACES,
  ]),
  minimumSeverity: z._default(z.enum(SEVERITIES), 'MEDIUM'),
  approvalRequired: z._default(z.array(z.enum(ACTION_NAMES)), [...DESTRUCTIVE_ACTIONS]),
  clusters: z._default(z.array(clusterSchema), []),
  /** Member accounts a hub acts in (see accounts/memberAccounts.ts); none: one account. */
  accounts: z.optional(accountsSchema),
  /** Per cluster and hour: beyond this many contained pods / nodes, stop and page. */
  blastRadius: z._default(
    z.strictObject({
      maxPodsPerHour: z._default(z.int().check(z.minimum(1)), 20),
      maxNodesPerHour: z._default(z.int().check(z.minimum(1)), 3),
    }),
    { maxPodsPerHour: 20, maxNodesPerHour: 3 },
  ),
});

export type TourniquetConfig = z.infer<typeof configSchema>;
export type ClusterConfig = TourniquetConfig['clusters'][number];

/**
 * Top-level sections of the same document that their own packages validate: `approvals`
 * (@tourniquet/slack), `tickets` (@tourniquet/tickets) and `deploy` (infra/). parseConfig
 * leaves them out; any other unknown key is an error.
 */
export const OWNED_ELSEWHERE = ['approvals', 'tickets', 'deploy'] as const;

/** Validates a parsed config document; omitted keys take the DESIGN §6 defaults. */
export function parseConfig(document: unknown): TourniquetConfig {
  let core = document ?? {};
  if (typeof core === 'object' && !Array.isArray(core)) {
    core = Object.fromEntries(
      Object.entries(core).filter(([k]) => !(OWNED_ELSEWHERE as readonly string[]).includes(k)),
    );
  }
  const result = configSchema.safeParse(core);
  if (!result.success) throw new ConfigError(zodProblems(result.error));
  const config = result.data;
  const seen = new Set<string>();
  config.clusters.forEach((c, i) => {
    const id = `${c.account}/${c.region}/${c.name}`;
    if (seen.has(id)) {
      throw new ConfigError([
        { path: `clusters.${i}.name`, message: `cluster ${id} is listed twice` },
      ]);
    }
    seen.add(id);
  });
  checkClusterAccounts(config);
  checkApiServers(config);
  return config;
}

/**
 * Clusters in accounts not listed under `accounts` are the hub's own, so they must all be in one
 * account: a second unlisted account is a member nobody declared (no role to assume there).
 */
function checkClusterAccounts(config: TourniquetConfig): void {
  let hub: string | undefined;
  config.clusters.forEach((c, i) => {
    if (config.accounts && Object.hasOwn(config.accounts, c.account)) {
      // The hub's functions run in the hub's VPCs; one cannot sit in a member's VPC.
      if (c.access?.mode === 'vpc')
        throw new ConfigError([
          {
            path: `clusters.${i}.access.mode`,
            message: `cluster ${c.name} is in member account ${c.account}: the hub reaches it through its public endpoint only, so access.mode must be public`,
          },
        ]);
      return;
    }
    hub ??= c.account;
    if (c.account === hub) return;
    throw new ConfigError([
      {
        path: `clusters.${i}.account`,
        message: `cluster ${c.name} is in account ${c.account}, but the hub's clusters are in ${hub} and ${c.account} is not listed under accounts: add "accounts": {"${c.account}": {}} (with its externalId) to act there`,
      },
    ]);
  });
}

/** An endpoint without its CA could not be trusted, and a CA without its endpoint is unused. */
function checkApiServers(config: TourniquetConfig): void {
  config.clusters.forEach((c, i) => {
    if (Boolean(c.endpoint) === Boolean(c.certificateAuthority)) return;
    const [given, missing] = c.endpoint
      ? ['endpoint', 'certificateAuthority']
      : ['certificateAuthority', 'endpoint'];
    throw new ConfigError([
      {
        path: `clusters.${i}.${missing}`,
        message: `cluster ${c.name} sets ${given} but not ${missing}: give both (DescribeCluster's cluster.endpoint and cluster.certificateAuthority.data), or neither to have them looked up`,
      },
    ]);
  });
}

export const DEFAULT_CONFIG: TourniquetConfig = parseConfig({});

function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || !address || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const version = isIP(address);
  const prefix = Number(bits);
  return (version === 4 && prefix <= 32) || (version === 6 && prefix <= 128);
}
