import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig } from '@kubernetes/client-node';
import type { ActionContext, ActionRuntime } from '@tourniquet/actions';
import {
  type AwsClients,
  awsClientConfig,
  ConfigRuleLookup,
  createAwsClients,
  DynamoActionJournal,
  type MemberCredentials,
  type MemberSession,
  memberCredentialsFrom,
} from '@tourniquet/aws';
import type { ActionJournal, Finding, TourniquetConfig } from '@tourniquet/core';
import { StaticKubeConnector } from '@tourniquet/kube';
import { type KubeSimulator, startKubeSimulator } from '@tourniquet/kube-sim';
import { apiReachable, refusingEndpoint } from './emulators/apiReach';
import { type FaultProxy, startFaultProxy } from './emulators/faultProxy';
import { type MotoServer, seededMoto, startMoto } from './emulators/moto';
import { pinToAccount } from './emulators/motoAccounts';
import { quickRetries } from './emulators/quickRetries';
import { loadScenario, type Scenario } from './scenario/scenario';
import { hubFunctionRoleArn } from './scenario/seedAccounts';
import type { SeededScenario } from './scenario/seedScenario';
import {
  LOCAL_CREDENTIALS,
  LOCAL_JOURNAL_REGION,
  LOCAL_JOURNAL_TABLE,
  seedWorld,
  worldConfig,
} from './worldSetup';

export { LOCAL_CREDENTIALS, LOCAL_JOURNAL_TABLE };

export const DEFAULT_SCENARIO = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'scenarios',
  'default.yaml',
);

/** The scenario format's JSON Schema (editors complete scenario files from it). */
export const SCENARIO_SCHEMA = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'scenarios',
  'scenario.schema.json',
);

export interface LocalWorldOptions {
  scenario?: Scenario;
  /**
   * Base config. Its clusters are replaced by the seeded ones (moto's ids), unless `clustersFrom`
   * is `config`.
   */
  config: TourniquetConfig;
  /**
   * `config`: act on the config's clusters (ids translated to moto's), as plan and the deployed
   * triage do, and report through `warn` where the scenario disagrees; a config without clusters
   * still gets the scenario's. `scenario` (the default): the scenario's clusters, whatever the
   * config lists (tests that drive actions against a scenario of their own).
   */
  clustersFrom?: 'scenario' | 'config';
  /** Warnings (scenario and config disagree); to stderr in the CLI. */
  warn?: (line: string) => void;
  progress?: (line: string) => void;
  /**
   * Put a fault-injecting proxy in front of moto and every Kubernetes simulator: this share of
   * the requests the actions make gets throttled, a 5xx, a timeout or a dropped connection.
   * Seeding is not affected. `timeoutMs`: how long a timeout fault holds its request before
   * the 504 (the fault proxy's default otherwise).
   */
  faults?: { rate: number; seed?: number; timeoutMs?: number };
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
    /** The hub's account: requests with the local credentials are answered as it. */
    readonly account: string | null = null,
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
    const motoOptions = {
      accountId: scenario.account,
      ...(scenario.accounts.length > 0
        ? { multiAccount: { organizationId: scenario.organizationId } }
        : {}),
    };
    const { moto, value: template } = await seededMoto(
      JSON.stringify([motoOptions, scenario]),
      () => startMoto(motoOptions),
      (server) => seedWorld(scenario, server.endpoint, say),
    );
    const simulators = new Map<string, KubeSimulator>();
    try {
      // A seeded template's result is shared by its copies: each world gets its own manifests.
      const seeded = { ...template, clusters: structuredClone(template.clusters) };
      for (const cluster of seeded.clusters) {
        say(`starting the Kubernetes API simulator for ${cluster.name}…`);
        simulators.set(cluster.name, await startKubeSimulator({ objects: cluster.kubeObjects }));
      }
      const config = worldConfig(options, scenario, seeded, say);
      const hub = scenario.accounts.length > 0 ? scenario.account : null;
      if (!options.faults)
        return new LocalWorld(moto, seeded, simulators, config, new Map(), [], null, hub);
      const { rate, seed = 1, timeoutMs } = options.faults;
      say(`injecting faults into ${Math.round(rate * 100)}% of requests (seed ${seed})…`);
      const awsProxy = await startFaultProxy({ target: moto.endpoint, rate, seed, timeoutMs });
      const kubeProxies = new Map<string, FaultProxy>();
      for (const [i, [name, simulator]] of [...simulators].entries()) {
        kubeProxies.set(
          name,
          await startFaultProxy({ target: simulator.url, rate, seed: seed + i + 1, timeoutMs }),
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
        hub,
      );
    } catch (error) {
      await Promise.allSettled([...simulators.values()].map((s) => s.stop()));
      await moto.stop();
      throw error;
    }
  }

  /**
   * The clients an action uses: the hub's own, or with `member` the member role's, assumed as a
   * deployed hub function does — the local credentials stand for the hub function's role
   * (`tourniquet-local-<action>`), which assumes the member role with the external id.
   */
  aws(region: string, member?: MemberSession | null): AwsClients {
    const place = member ? `${region}\n${member.roleArn}\n${member.sessionName}` : region;
    let clients = this.clients.get(place);
    if (!clients) {
      clients = createAwsClients(region, {
        endpoint: this.endpoints?.aws ?? this.moto.endpoint,
        credentials: member ? this.memberCredentials(member).provider(member) : LOCAL_CREDENTIALS,
        // Behind the fault proxy, retry as the SDK decides but without its backoff sleeps.
        ...(this.endpoints ? { retryStrategy: quickRetries() } : {}),
      });
      this.clients.set(place, clients);
    }
    return clients;
  }

  private readonly hubFunctions = new Map<string, MemberCredentials>();

  /** STS as the hub function of `member.action`, to assume its member role. */
  private memberCredentials(member: MemberSession): MemberCredentials {
    let credentials = this.hubFunctions.get(member.action);
    if (!credentials) {
      if (!this.account) throw new Error('the scenario has no member accounts');
      const endpoint = this.endpoints?.aws ?? this.moto.endpoint;
      // Behind the fault proxy STS retries like every other client: without backoff sleeps.
      const options = { endpoint, ...(this.endpoints ? { retryStrategy: quickRetries() } : {}) };
      const functionRole = memberCredentialsFrom(LOCAL_CREDENTIALS, options).provider({
        account: this.account,
        action: member.action,
        roleArn: hubFunctionRoleArn(this.account, member.action),
        sessionName: `tourniquet-local-${member.action}`,
      });
      credentials = memberCredentialsFrom(functionRole, options);
      this.hubFunctions.set(member.action, credentials);
    }
    return credentials;
  }

  /**
   * Clients straight to moto, never through a fault proxy: for reading the state back after a
   * replay, which observes the system rather than being part of it. With a member `account`,
   * they read that account directly, as an operator signed in to it would (never for actions).
   */
  inspect(region: string, account?: string): AwsClients {
    const member = account && this.account && account !== this.account ? account : null;
    const key = member ? `${region}\n${member}` : region;
    let clients = this.inspectors.get(key);
    if (!clients) {
      clients = createAwsClients(region, {
        endpoint: this.moto.endpoint,
        credentials: LOCAL_CREDENTIALS,
      });
      if (member) pinToAccount(clients, member);
      this.inspectors.set(key, clients);
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
      // A member's cluster is read and changed there (tests drive actions through this directly).
      aws:
        cluster && this.account && cluster.account !== this.account
          ? this.inspect(region, cluster.account)
          : this.aws(region),
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
      aws: (region, member) => this.aws(region, member),
      journal: this.journal,
      kube: async (cluster, member) => {
        const reachable = await apiReachable(
          // A member's cluster is described in the member account.
          member
            ? this.inspect(this.regionOf(cluster), member.account).eks
            : this.network.eks(this.regionOf(cluster)),
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
