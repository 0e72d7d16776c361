import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterConnection } from '@tourniquet/aws';
import { eksToken } from '@tourniquet/aws';
import { KubeAdapter } from './kubeAdapter';
import type { KubeConfigLike, KubeConnection } from './kubeConnection';

/** Tokens are valid for 15 minutes; renewing after 10 leaves room for slow calls. */
const TOKEN_REUSE_MS = 10 * 60 * 1000;

export interface KubeConnector {
  adapterFor(clusterName: string): Promise<KubeAdapter>;
}

/** Where a cluster's endpoint and CA come from (ClusterConnectionCache: config, else DescribeCluster). */
export interface ClusterConnections {
  get(clusterName: string): Promise<ClusterConnection>;
}

/**
 * Connects to EKS the way EKS authenticates: endpoint and CA from the config or DescribeCluster
 * (cached), and a bearer token from a presigned STS GetCallerIdentity URL (renewed every 10
 * minutes).
 */
export class EksKubeConnector implements KubeConnector {
  private readonly adapters = new Map<string, { adapter: KubeAdapter; expires: number }>();

  constructor(
    private readonly connections: ClusterConnections,
    private readonly region: string,
    private readonly credentials: AwsCredentialIdentityProvider,
    private readonly now: () => number = Date.now,
  ) {}

  async adapterFor(clusterName: string): Promise<KubeAdapter> {
    const cached = this.adapters.get(clusterName);
    if (cached && cached.expires > this.now()) return cached.adapter;
    const connection = await this.connections.get(clusterName);
    const token = await eksToken({
      clusterName,
      region: this.region,
      credentials: this.credentials,
    });
    const adapter = new KubeAdapter({
      server: connection.endpoint,
      caData: connection.certificateAuthority,
      token,
    });
    this.adapters.set(clusterName, { adapter, expires: this.now() + TOKEN_REUSE_MS });
    return adapter;
  }
}

/** A fixed connection, for the local simulator or a kubeconfig the operator provides. */
export class StaticKubeConnector implements KubeConnector {
  private readonly adapter: KubeAdapter;

  constructor(connection: KubeConnection | KubeConfigLike) {
    this.adapter = new KubeAdapter(connection);
  }

  async adapterFor(): Promise<KubeAdapter> {
    return this.adapter;
  }
}
