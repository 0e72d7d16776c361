import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig } from '@kubernetes/client-node';
import type { ActionContext, ActionRuntime } from '@tourniquet/actions';
import {
  type ActionJournal,
  type AwsClients,
  awsClientConfig,
  ConfigRuleLookup,
  createAwsClients,
  DynamoActionJournal,
  ensureIncidentTable,
} from '@tourniquet/aws';
import type { ClusterConfig, Finding, TourniquetConfig } from '@tourniquet/core';
import { StaticKubeConnector } from '@tourniquet/kube';
import { apiReachable, refusingEndpoint } from './emulators/apiReach';
import { type FaultProxy, startFaultProxy } from './emulators/faultProxy';
import { type MotoServer, startMoto } from './emulators/moto';
import { quickRetries } from './emulators/quickRetries';
import { type KubeSimulator, startKubeSimulator } from './kube/kubeSimulator';
import { loadScenario, type Scenario } from './scenario/scenario';
import { accessIn, type SeededScenario, seedScenario } from './scenario/seedScenario';

export const DEFAULT_SCENARIO = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'scenarios',
  'default.yaml',
);

/** Credentials moto accepts; nothing leaves 127.0.0.1. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'tourniquet-local',
  secretAccessKey: 'tourniquet-local',
};

/** The table the local step journal lives in (the incidents table's layout, as deployed). */
export const LOCAL_JOURNAL_TABLE = 'tourniquet-local-incidents';
const LOCAL_JOURNAL_REGION = 'us-east-1';

export interface LocalWorldOptions {
  scenario?: Scenario;
  /** Base config; its clusters are replaced by the seeded ones (moto's ids). */
  config: TourniquetConfig;
  progress?: (line: string) => void;
  /**
   * Put a fault-injecting proxy in front of moto and every Kubernetes simulator: this share of
   * the requests the actions make gets throttled, a 5xx, a timeout or a dropped connection.
   * Seeding is not affected.
   */
  faults?: { rate: number; seed?: number };
}

/**
 * The whole local AWS + Kubernetes: moto seeded from a scenario and one Kubernetes API
 * simulator per cluster, with action contexts wired to them through the real clients.
 */
export class LocalWorld {
  private constructor(
    readonly moto: MotoServer,
    readonly seeded: SeededScenario,
    readonly simulators: ReadonlyMap<string, KubeSimulator>,
    readonly config: TourniquetConfig,
    private readonly clients: Map<string, AwsClients>,
    /** Fault proxies (empty without faults): moto's first, then one per simulator. */
    readonly faultProxies: FaultProxy[] = [],
    private readonly endpoints: { aws: string; kube: ReadonlyMap<string, string> } | null = null,
  ) {
    this.journal = new DynamoActionJournal({
      client: new DynamoDBClient({
        ...awsClientConfig({
          region: LOCAL_JOURNAL_REGION,
          endpoint: endpoints?.aws ?? moto.endpoint,
        }),
        credentials: LOCAL_CREDENTIALS,
        ...(endpoints ? { retryStrategy: quickRetries() } : {}),
      }),
      tableName: LOCAL_JOURNAL_TABLE,
    });
  }

  /** The step journal in moto's DynamoDB (through the fault proxy when there is one). */
  readonly journal: ActionJournal;

  static async start(options: LocalWorldOptions): Promise<LocalWorld> {
    const say = options.progress ?? (() => {});
    const scenario = options.scenario ?? (await loadScenario(DEFAULT_SCENARIO));
    say('starting moto (local AWS)…');
    const moto = await startMoto({ accountId: scenario.account });
    const simulators = new Map<string, KubeSimulator>();
    try {
      const seeded = await seedScenario(scenario, {
        endpoint: moto.endpoint,
        credentials: LOCAL_CREDENTIALS,
        progress: say,
      });
      await ensureIncidentTable(
        new DynamoDBClient({
          ...awsClientConfig({ region: LOCAL_JOURNAL_REGION, endpoint: moto.endpoint }),
          credentials: LOCAL_CREDENTIALS,
        }),
        LOCAL_JOURNAL_TABLE,
      );
      for (const cluster of seeded.clusters) {
        say(`starting the Kubernetes API simulator for ${cluster.name}…`);
        simulators.set(cluster.name, await startKubeSimulator({ objects: cluster.kubeObjects }));
      }
      const config: TourniquetConfig = {
        ...options.config,
        clusters: seeded.clusters.map((c) =>
          withConfiguredAccess(c.config, options.config, seeded),
        ),
      };
      if (!options.faults) return new LocalWorld(moto, seeded, simulators, config, new Map());
      const { rate, seed = 1 } = options.faults;
      say(`injecting faults into ${Math.round(rate * 100)}% of requests (seed ${seed})…`);
      const awsProxy = await startFaultProxy({ target: moto.endpoint, rate, seed });
      const kubeProxies = new Map<string, FaultProxy>();
      for (const [i, [name, simulator]] of [...simulators].entries()) {
        kubeProxies.set(
          name,
          await startFaultProxy({ target: simulator.url, rate, seed: seed + i + 1 }),
        );
      }
      return new LocalWorld(
        moto,
        seeded,
        simulators,
        config,
        new Map(),
        [awsProxy, ...kubeProxies.values()],
        {
          aws: awsProxy.url,
          kube: new Map([...kubeProxies].map(([name, proxy]) => [name, proxy.url])),
        },
      );
    } catch (error) {
      await Promise.allSettled([...simulators.values()].map((s) => s.stop()));
      await moto.stop();
      throw error;
    }
  }

  aws(region: string): AwsClients {
    let clients = this.clients.get(region);
    if (!clients) {
      clients = createAwsClients(region, {
        endpoint: this.endpoints?.aws ?? this.moto.endpoint,
        credentials: LOCAL_CREDENTIALS,
        // Behind the fault proxy, retry as the SDK decides but without its backoff sleeps.
        ...(this.endpoints ? { retryStrategy: quickRetries() } : {}),
      });
      this.clients.set(region, clients);
    }
    return clients;
  }

  /**
   * Clients straight to moto, never through a fault proxy: for reading the state back after a
   * replay, which observes the system rather than being part of it.
   */
  inspect(region: string): AwsClients {
    let clients = this.inspectors.get(region);
    if (!clients) {
      clients = createAwsClients(region, {
        endpoint: this.moto.endpoint,
        credentials: LOCAL_CREDENTIALS,
      });
      this.inspectors.set(region, clients);
    }
    return clients;
  }

  private readonly inspectors = new Map<string, AwsClients>();

  simulator(cluster: string): KubeSimulator {
    const simulator = this.simulators.get(cluster);
    if (!simulator) throw new Error(`no Kubernetes simulator for cluster ${cluster}`);
    return simulator;
  }

  /** An action context for an incident on `clusterName` (its region's clients, its simulator). */
  context(options: {
    incidentKey: string;
    clusterName: string;
    dryRun?: boolean;
    finding?: Omit<Finding, 'raw'> | null;
    now?: () => Date;
  }): ActionContext {
    const cluster = this.config.clusters.find((c) => c.name === options.clusterName) ?? null;
    const region = cluster?.region ?? this.seeded.clusters[0]?.region ?? 'us-east-1';
    const simulator = this.simulators.get(options.clusterName);
    const connector = simulator
      ? new StaticKubeConnector(this.kubeConfig(options.clusterName))
      : null;
    return {
      incidentKey: options.incidentKey,
      dryRun: options.dryRun ?? false,
      config: this.config,
      cluster,
      clusterName: options.clusterName,
      finding: options.finding ?? null,
      aws: this.aws(region),
      journal: this.journal,
      kube: async () => {
        if (!connector)
          throw new Error(`cluster ${options.clusterName} has no Kubernetes simulator`);
        return connector.adapterFor();
      },
      now: options.now ?? (() => new Date()),
    };
  }

  private ruleLookup: ConfigRuleLookup | null = null;

  /** Config rules looked up in moto's Config (through the fault proxy when there is one), as triage does. */
  configRules(): ConfigRuleLookup {
    this.ruleLookup ??= new ConfigRuleLookup({
      client: (region) =>
        new ConfigServiceClient({
          ...awsClientConfig({ region, endpoint: this.endpoints?.aws ?? this.moto.endpoint }),
          credentials: LOCAL_CREDENTIALS,
          ...(this.endpoints ? { retryStrategy: quickRetries() } : {}),
        }),
    });
    return this.ruleLookup;
  }

  /**
   * What the action Lambdas get in AWS, wired to the local emulators. A cluster the function
   * could not reach from where the config runs it (outside any VPC, or in the cluster's VPC) is
   * behind an address that refuses connections.
   */
  runtime(): ActionRuntime {
    return {
      config: this.config,
      aws: (region) => this.aws(region),
      journal: this.journal,
      kube: async (cluster) => {
        const reachable = await apiReachable(
          this.network.eks(this.regionOf(cluster)),
          cluster,
          this.config.clusters.find((c) => c.name === cluster)?.access,
        );
        const kubeConfig = reachable ? this.kubeConfig(cluster) : await this.unreachable(cluster);
        return new StaticKubeConnector(kubeConfig).adapterFor();
      },
    };
  }

  /** EKS as the emulated network reads it: straight to moto, never through a fault proxy. */
  private readonly network = {
    clients: new Map<string, EKSClient>(),
    eks: (region: string): EKSClient => {
      let client = this.network.clients.get(region);
      if (!client) {
        client = new EKSClient({
          ...awsClientConfig({ region, endpoint: this.moto.endpoint }),
          credentials: LOCAL_CREDENTIALS,
        });
        this.network.clients.set(region, client);
      }
      return client;
    },
  };

  private regionOf(cluster: string): string {
    return (
      this.config.clusters.find((c) => c.name === cluster)?.region ??
      this.seeded.clusters.find((c) => c.name === cluster)?.region ??
      'us-east-1'
    );
  }

  /** Client config for a cluster's API server as seen from outside its reach. */
  private async unreachable(cluster: string): Promise<KubeConfig> {
    const simulator = this.simulator(cluster);
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: cluster, server: await refusingEndpoint(), skipTLSVerify: true }],
      users: [{ name: 'tourniquet', token: simulator.token }],
      contexts: [{ name: cluster, cluster, user: 'tourniquet' }],
      currentContext: cluster,
    });
    return config;
  }

  /** Client config for a cluster's simulator (through its fault proxy when there is one). */
  kubeConfig(cluster: string): KubeConfig {
    const simulator = this.simulator(cluster);
    const proxy = this.endpoints?.kube.get(cluster);
    if (!proxy) return simulator.kubeConfig();
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: cluster, server: proxy, skipTLSVerify: true }],
      users: [{ name: 'tourniquet', token: simulator.token }],
      contexts: [{ name: cluster, cluster, user: 'tourniquet' }],
      currentContext: cluster,
    });
    return config;
  }

  async stop(): Promise<void> {
    for (const client of this.network.clients.values()) client.destroy();
    await Promise.allSettled(this.faultProxies.map((p) => p.stop()));
    await Promise.allSettled([...this.simulators.values()].map((s) => s.stop()));
    await this.moto.stop();
  }
}

/**
 * A seeded cluster's config entry, with the access the given config sets for that cluster (its
 * ids may be the scenario's: they are translated) instead of the scenario's.
 */
function withConfiguredAccess(
  seeded: ClusterConfig,
  config: TourniquetConfig,
  scenario: SeededScenario,
): ClusterConfig {
  const access = config.clusters.find((c) => c.name === seeded.name)?.access;
  return access ? { ...seeded, access: accessIn(access, scenario.physical) } : seeded;
}
