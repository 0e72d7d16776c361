import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionContext, ActionRuntime } from '@tourniquet/actions';
import { type AwsClients, createAwsClients } from '@tourniquet/aws';
import type { Finding, TourniquetConfig } from '@tourniquet/core';
import { StaticKubeConnector } from '@tourniquet/kube';
import { type MotoServer, startMoto } from './emulators/moto';
import { type KubeSimulator, startKubeSimulator } from './kube/kubeSimulator';
import { loadScenario, type Scenario } from './scenario/scenario';
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

export interface LocalWorldOptions {
  scenario?: Scenario;
  /** Base config; its clusters are replaced by the seeded ones (moto's ids). */
  config: TourniquetConfig;
  progress?: (line: string) => void;
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
  ) {}

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
      for (const cluster of seeded.clusters) {
        say(`starting the Kubernetes API simulator for ${cluster.name}…`);
        simulators.set(cluster.name, await startKubeSimulator({ objects: cluster.kubeObjects }));
      }
      const config: TourniquetConfig = {
        ...options.config,
        clusters: seeded.clusters.map((c) => c.config),
      };
      return new LocalWorld(moto, seeded, simulators, config, new Map());
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
        endpoint: this.moto.endpoint,
        credentials: LOCAL_CREDENTIALS,
      });
      this.clients.set(region, clients);
    }
    return clients;
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
    const connector = simulator ? new StaticKubeConnector(simulator.kubeConfig()) : null;
    return {
      incidentKey: options.incidentKey,
      dryRun: options.dryRun ?? false,
      config: this.config,
      cluster,
      clusterName: options.clusterName,
      finding: options.finding ?? null,
      aws: this.aws(region),
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
      aws: (region) => this.aws(region),
      kube: (cluster) => new StaticKubeConnector(this.simulator(cluster).kubeConfig()).adapterFor(),
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.simulators.values()].map((s) => s.stop()));
    await this.moto.stop();
  }
}
