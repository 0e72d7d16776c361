import { KubeConfig } from '@kubernetes/client-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterConnectionCache } from '@tourniquet/aws';
import { eksToken } from '@tourniquet/aws';
import { KubeAdapter } from './kubeAdapter';

/** Tokens are valid for 15 minutes; renewing after 10 leaves room for slow calls. */
const TOKEN_REUSE_MS = 10 * 60 * 1000;

export interface KubeConnector {
  adapterFor(clusterName: string): Promise<KubeAdapter>;
}

/**
 * Connects to EKS the way EKS authenticates: endpoint and CA from DescribeCluster (cached), and
 * a bearer token from a presigned STS GetCallerIdentity URL (renewed every 10 minutes).
 */
export class EksKubeConnector implements KubeConnector {
  private readonly adapters = new Map<string, { adapter: KubeAdapter; expires: number }>();

  constructor(
    private readonly connections: ClusterConnectionCache,
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
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: clusterName, server: connection.endpoint, caData: connection.certificateAuthority },
      ],
      users: [{ name: 'tourniquet', token }],
      contexts: [{ name: clusterName, cluster: clusterName, user: 'tourniquet' }],
      currentContext: clusterName,
    });
    const adapter = new KubeAdapter(kc);
    this.adapters.set(clusterName, { adapter, expires: this.now() + TOKEN_REUSE_MS });
    return adapter;
  }
}

/** A fixed connection, for the local simulator or a kubeconfig the operator provides. */
export class StaticKubeConnector implements KubeConnector {
  private readonly adapter: KubeAdapter;

  constructor(kubeConfig: KubeConfig) {
    this.adapter = new KubeAdapter(kubeConfig);
  }

  async adapterFor(): Promise<KubeAdapter> {
    return this.adapter;
  }
}
