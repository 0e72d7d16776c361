import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KubeConfig } from '@kubernetes/client-node';
import type { ActionContext, ActionRuntime } from '@tourniquet/actions';
import {
  type ActionJournal,
  type AwsClients,
  awsClientConfig,
  createAwsClients,
  DynamoActionJournal,
  ensureIncidentTable,
  type MemberCredentials,
  type MemberSession,
  memberCredentialsFrom,
} from '@tourniquet/aws';
import type { Finding, TourniquetConfig } from '@tourniquet/core';
import { StaticKubeConnector } from '@tourniquet/kube';
import { type FaultProxy, startFaultProxy } from './emulators/faultProxy';
import { type MotoServer, startMoto } from './emulators/moto';
import { pinToAccount } from './emulators/motoAccounts';
import { quickRetries } from './emulators/quickRetries';
import { type KubeSimulator, startKubeSimulator } from './kube/kubeSimulator';
import { loadScenario, type Scenario } from './scenario/scenario';
import {
  combineSeeded,
  hubFunctionRoleArn,
  memberAccountsOf,
  seedAccountRoles,
} from './scenario/seedAccounts';
import { type SeededScenario, seedScenario } from './scenario/seedScenario';

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
    const moto = await startMoto({
      accountId: scenario.account,
      ...(scenario.accounts.length > 0
        ? { multiAccount: { organizationId: scenario.organizationId } }
        : {}),
    });
    const simulators = new Map<string, KubeSimulator>();
    try {
      const parts = [
        await seedScenario(scenario, {
          endpoint: moto.endpoint,
          credentials: LOCAL_CREDENTIALS,
          progress: say,
        }),
      ];
      for (const member of scenario.accounts) {
        say(`seeding member account ${member.account}…`);
        parts.push(
          await seedScenario(
            { ...member, organizationId: scenario.organizationId, accounts: [] },
            {
              endpoint: moto.endpoint,
              credentials: LOCAL_CREDENTIALS,
              progress: say,
              account: member.account,
            },
          ),
        );
      }
      if (scenario.accounts.length > 0) {
        say('seeding the hub function roles and the member roles that trust them…');
        await seedAccountRoles(scenario, {
          endpoint: moto.endpoint,
          credentials: LOCAL_CREDENTIALS,
        });
      }
      const seeded = parts.length === 1 ? (parts[0] as SeededScenario) : combineSeeded(parts);
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
        clusters: seeded.clusters.map((c) => c.config),
        ...(scenario.accounts.length > 0 ? { accounts: memberAccountsOf(scenario) } : {}),
      };
      const hub = scenario.accounts.length > 0 ? scenario.account : null;
      if (!options.faults)
        return new LocalWorld(moto, seeded, simulators, config, new Map(), [], null, hub);
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
   * Clients that read (and seed) `account` directly, as an operator signed in to it would: for
   * reports and tests, never for actions.
   */
  inspect(region: string, account?: string): AwsClients {
    if (!account || !this.account || account === this.account) return this.aws(region);
    return pinToAccount(
      createAwsClients(region, { endpoint: this.moto.endpoint, credentials: LOCAL_CREDENTIALS }),
      account,
    );
  }

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
      aws: this.inspect(region, cluster?.account),
      journal: this.journal,
      kube: async () => {
        if (!connector)
          throw new Error(`cluster ${options.clusterName} has no Kubernetes simulator`);
        return connector.adapterFor();
      },
      now: options.now ?? (() => new Date()),
    };
  }

  /** What the action Lambdas get in AWS, wired to the local emulators. */
  runtime(): ActionRuntime {
    return {
      config: this.config,
      aws: (region, member) => this.aws(region, member),
      journal: this.journal,
      kube: (cluster) => new StaticKubeConnector(this.kubeConfig(cluster)).adapterFor(),
    };
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
    await Promise.allSettled(this.faultProxies.map((p) => p.stop()));
    await Promise.allSettled([...this.simulators.values()].map((s) => s.stop()));
    await this.moto.stop();
  }
}
