import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { awsClientConfig, ClusterConnectionCache } from '@tourniquet/aws';
import { EksKubeConnector } from '@tourniquet/kube';
import { type CliIo, EXIT, parseCommandLine, UsageError } from './io';
import { loadConfig } from './loadConfig';
import { readDetector } from './preflight/guardDutyFeatures';
import { formatCheck, type PreflightAccess, runPreflight } from './preflight/preflight';

export const PREFLIGHT_USAGE = `Usage: tourniquet preflight [--config FILE] [--json]

Checks, before the first real incident, that Tourniquet can contain what it is configured for.
Per configured cluster: the authentication mode allows access entries (EKS DescribeCluster), a
NetworkPolicy enforcer runs (the kube-system DaemonSets, through the Kubernetes API: VPC CNI
network policy agent, Calico or Cilium), each quarantine security group exists in its VPC with
no rules. Per region: GuardDuty has a detector with Runtime Monitoring and EKS audit logs on.
Every call is read-only. One line per check, ✓ or ✗, with the fix for each ✗.

  --config FILE  configuration (default: $TOURNIQUET_CONFIG, else ./tourniquet.config.json)
  --json         one JSON object per check per line: {"scope", "check", "ok", "detail", "fix"}
Credentials: the AWS SDK's default chain; the Kubernetes API is reached as EKS authenticates
(your identity needs an access entry or aws-auth mapping that may list DaemonSets in kube-system).
Exit status: 0 every check passed, 1 some check failed, 64 bad usage or no AWS credentials.
`;

export async function preflightCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout(PREFLIGHT_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const { config, file } = await loadConfig(values.config, io.cwd);
  if (config.clusters.length === 0) {
    throw new UsageError(`${file ?? 'the built-in configuration'} configures no clusters to check`);
  }
  const credentials = defaultProvider();
  const eks = new Map<string, EKSClient>();
  const ec2 = new Map<string, EC2Client>();
  const connectors = new Map<string, EksKubeConnector>();
  const client = <C>(cache: Map<string, C>, region: string, make: () => C) => {
    let c = cache.get(region);
    if (!c) {
      c = make();
      cache.set(region, c);
    }
    return c;
  };
  const access: PreflightAccess = {
    eks: (region) => client(eks, region, () => new EKSClient(awsClientConfig({ region }))),
    ec2: (region) => client(ec2, region, () => new EC2Client(awsClientConfig({ region }))),
    kube: (name) => {
      const region = config.clusters.find((c) => c.name === name)?.region ?? 'us-east-1';
      return client(
        connectors,
        region,
        () =>
          new EksKubeConnector(new ClusterConnectionCache(access.eks(region)), region, credentials),
      ).adapterFor(name);
    },
    detector: (region) => readDetector({ region, credentials }),
  };
  return reportPreflight(await runPreflight(config, access), io, values.json);
}

/** Prints the results; exit 0 when every check passed. */
export function reportPreflight(
  results: Awaited<ReturnType<typeof runPreflight>>,
  io: CliIo,
  json: boolean,
): number {
  for (const result of results) {
    io.stdout(json ? `${JSON.stringify(result)}\n` : `${formatCheck(result)}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  if (!json) {
    io.stdout(
      failed === 0
        ? `all ${results.length} checks passed\n`
        : `${failed} of ${results.length} checks failed\n`,
    );
  }
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
