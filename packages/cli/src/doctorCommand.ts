import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { awsClientConfig, ClusterConnectionCache } from '@tourniquet/aws';
import type { TourniquetConfig } from '@tourniquet/core';
import { EksKubeConnector, StaticKubeConnector } from '@tourniquet/kube';
import {
  DEFAULT_SCENARIO,
  homeRegionOf,
  LOCAL_CREDENTIALS,
  LocalWorld,
  loadScenario,
  pinToAccount,
  seedDeployment,
} from '@tourniquet/testkit';
import type { DoctorAccess, DoctorCheck, DoctorClients } from './doctor/doctorCheck';
import { formatDoctor } from './doctor/formatDoctor';
import { readDetector } from './doctor/guardDutyFeatures';
import { runDoctor } from './doctor/runDoctor';
import { type CliIo, EXIT, interruption, parseCommandLine, UsageError } from './io';
import { loadConfig } from './loadConfig';

export const DOCTOR_USAGE = `Usage: tourniquet doctor --stage STAGE [--config FILE] [--region REGION]... [--json]
       tourniquet doctor --local [--scenario FILE] [--config FILE] [--region REGION]... [--json]

Checks, with read-only calls, that a deployed stage can contain what it is configured for, and
says how to fix what is not ready. ('tourniquet preflight' is the same command.)
Per account and region: GuardDuty EKS Protection (audit logs) and Runtime Monitoring with EKS
add-on management; the AWS Config rules Tourniquet reacts to; the stage's EventBridge rules
exist and are enabled; its dead-letter queue is empty. Per cluster: authentication mode allows
access entries, an access entry for each of Tourniquet's roles, docs/rbac.yaml applied and
matching, a NetworkPolicy enforcer and the Security Groups for Pods mode, quarantine groups
without rules, the API endpoint reachable from where the functions run.

  --stage STAGE    the deployed stage: reads tourniquet.STAGE.json (or --config) and AWS through
                   the SDK's default credential chain (AWS_PROFILE, SSO, environment, role)
  --local          instead, against local emulators it starts: moto and a Kubernetes simulator
                   per cluster, seeded from the scenario, with the stage deployed as infra/ would
  --scenario FILE  with --local (default: packages/testkit/scenarios/default.yaml)
  --config FILE    configuration (default: tourniquet.STAGE.json, else $TOURNIQUET_CONFIG, else
                   ./tourniquet.config.json)
  --region REGION  check only this region (repeatable; default: every configured region)
  --json           one JSON object per check per line: {"scope", "check", "status", "detail", "fix"}

Output: a table of pass / warn / fail, each warn and fail with a one-line fix, then a tally.
Locally, a call moto does not implement is a warn that says so, never a pass.
Exit status: 0 no check failed (warnings allowed), 1 some check failed, 64 bad usage or no AWS
credentials.
`;

export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    stage: { type: 'string' },
    local: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    config: { type: 'string' },
    region: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout(DOCTOR_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.local && values.stage) throw new UsageError('--local and --stage exclude each other');
  if (!values.local && !values.stage) {
    throw new UsageError(
      'name the deployed stage with --stage STAGE, or check locally with --local',
    );
  }
  if (values.scenario && !values.local) throw new UsageError('--scenario needs --local');
  const regions = values.region ?? [];
  for (const region of regions) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
      throw new UsageError(`--region ${region} is not an AWS region name (e.g. us-east-1)`);
  }
  const results = values.local
    ? await doctorLocal(values.scenario, values.config, regions, io)
    : await doctorStage(values.stage as string, values.config, regions, io);
  if (!results) return interruption(io.signal)?.exitCode ?? EXIT.failed;
  return reportDoctor(results, io, values.json);
}

/** Prints the results; exit 1 when any check failed, 0 with passes and warnings only. */
export function reportDoctor(results: readonly DoctorCheck[], io: CliIo, json: boolean): number {
  if (json) for (const result of results) io.stdout(`${JSON.stringify(result)}\n`);
  else io.stdout(formatDoctor(results));
  return results.some((r) => r.status === 'fail') ? EXIT.failed : EXIT.ok;
}

/** The `deploy` block the stage file carries (infra/ validates it; doctor reads three keys). */
interface DeployBlock {
  role?: string;
  account?: string;
  region?: string;
  accessEntries?: boolean;
}

async function doctorStage(
  stage: string,
  explicitConfig: string | undefined,
  regions: readonly string[],
  io: CliIo,
): Promise<DoctorCheck[]> {
  const stageFile = `tourniquet.${stage}.json`;
  const file = explicitConfig ?? (existsSync(join(io.cwd, stageFile)) ? stageFile : undefined);
  const { config, file: used } = await loadConfig(file, io.cwd);
  if (config.clusters.length === 0) {
    throw new UsageError(`${used ?? 'the built-in configuration'} configures no clusters to check`);
  }
  const deploy = used ? await deployBlock(resolve(io.cwd, used)) : {};
  if (deploy.role === 'member') {
    throw new UsageError(
      `${used} is a member stage: run doctor with the hub's stage and credentials for account ${deploy.account ?? 'of the member'} (the member's clusters, GuardDuty and Config rules are checked from there)`,
    );
  }
  const account =
    deploy.account ??
    config.clusters.find((c) => !config.accounts?.[c.account])?.account ??
    (config.clusters[0]?.account as string);
  const homeRegion =
    deploy.region ??
    config.clusters.find((c) => c.account === account)?.region ??
    (config.clusters[0]?.region as string);
  const credentials = defaultProvider();
  const sts = new STSClient({ ...awsClientConfig({ region: homeRegion }), credentials });
  const { Account: caller } = await sts.send(new GetCallerIdentityCommand({}));
  const cache = new Map<string, DoctorClients>();
  const connectors = new Map<string, EksKubeConnector>();
  const access: DoctorAccess = {
    local: false,
    stage,
    homeRegion,
    account,
    accessEntries: deploy.accessEntries !== false,
    readable: (a) => a === caller,
    aws: (region) => {
      let clients = cache.get(region);
      if (!clients) {
        const base = { ...awsClientConfig({ region }), credentials };
        clients = {
          eks: new EKSClient(base),
          ec2: new EC2Client(base),
          config: new ConfigServiceClient(base),
          events: new EventBridgeClient(base),
          sqs: new SQSClient(base),
        };
        cache.set(region, clients);
      }
      return clients;
    },
    kube: (cluster) => {
      let connector = connectors.get(cluster.region);
      if (!connector) {
        connector = new EksKubeConnector(
          new ClusterConnectionCache(access.aws(cluster.region, cluster.account).eks),
          cluster.region,
          credentials,
        );
        connectors.set(cluster.region, connector);
      }
      return connector.adapterFor(cluster.name);
    },
    detector: (region) => readDetector({ region, credentials }),
  };
  io.stderr(
    `doctor: stage ${stage} in account ${account}, home region ${homeRegion}, as account ${caller}\n`,
  );
  return runDoctor(config, access, regions);
}

async function deployBlock(path: string): Promise<DeployBlock> {
  const document = JSON.parse(await readFile(path, 'utf8')) as { deploy?: unknown };
  const deploy = document.deploy;
  return typeof deploy === 'object' && deploy !== null ? (deploy as DeployBlock) : {};
}

async function doctorLocal(
  scenarioFile: string | undefined,
  configFile: string | undefined,
  regions: readonly string[],
  io: CliIo,
): Promise<DoctorCheck[] | null> {
  const scenario = scenarioFile
    ? await loadScenario(resolve(io.cwd, scenarioFile), scenarioFile)
    : await loadScenario(DEFAULT_SCENARIO);
  const { config } = await loadConfig(configFile, io.cwd);
  const progress = (line: string) => io.stderr(`${line}\n`);
  const world = await LocalWorld.start({ config, scenario, progress });
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= world.stop();
    return stopping;
  };
  io.signal?.addEventListener('abort', stop, { once: true });
  try {
    progress(
      `deploying stage ${scenario.deployment.stage} into moto: rules, dead-letter queue, GuardDuty…`,
    );
    await seedDeployment(scenario, {
      endpoint: world.moto.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const hub = scenario.account;
    const cache = new Map<string, DoctorClients>();
    const modes = new Map(
      [...scenario.clusters, ...scenario.accounts.flatMap((m) => m.clusters)].map((c) => [
        c.name,
        c.authenticationMode,
      ]),
    );
    const access: DoctorAccess = {
      local: true,
      stage: scenario.deployment.stage,
      homeRegion: homeRegionOf(scenario),
      account: hub,
      accessEntries: true,
      readable: () => true,
      aws: (region, account) => {
        const key = `${region} ${account}`;
        let clients = cache.get(key);
        if (!clients) {
          const base = {
            ...awsClientConfig({ region, endpoint: world.moto.endpoint }),
            credentials: LOCAL_CREDENTIALS,
          };
          clients = {
            eks: new EKSClient(base),
            ec2: new EC2Client(base),
            config: new ConfigServiceClient(base),
            events: new EventBridgeClient(base),
            sqs: new SQSClient(base),
          };
          if (account !== hub) pinToAccount(clients, account);
          cache.set(key, clients);
        }
        return clients;
      },
      kube: (cluster) => new StaticKubeConnector(world.kubeConfig(cluster.name)).adapterFor(),
      detector: (region, account) =>
        readDetector({
          region,
          credentials: LOCAL_CREDENTIALS,
          endpoint: world.moto.endpoint,
          ...(account !== hub ? { headers: { 'x-moto-account-id': account } } : {}),
        }),
      scenarioAuthenticationMode: (cluster) => modes.get(cluster),
    };
    const results = await runDoctor(world.config as TourniquetConfig, access, regions);
    for (const clients of cache.values()) for (const c of Object.values(clients)) c.destroy();
    return interruption(io.signal) ? null : results;
  } finally {
    io.signal?.removeEventListener('abort', stop);
    await stop();
  }
}
