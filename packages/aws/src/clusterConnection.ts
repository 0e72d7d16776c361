import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';

export interface ClusterConnection {
  name: string;
  endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  certificateAuthority: string;
}

/**
 * A cluster's endpoint and CA: from the config when it gives them, else DescribeCluster once per
 * cluster per warm Lambda. Endpoint and CA do not change for the life of a cluster, and the call
 * would otherwise sit on every action's critical path. The EKS client is built on first use, so
 * a function whose clusters are all configured never builds one.
 */
export class ClusterConnectionCache {
  private readonly cache = new Map<string, Promise<ClusterConnection>>();
  private client: EKSClient | null = null;

  constructor(
    private readonly eks: EKSClient | (() => EKSClient),
    configured: Iterable<ClusterConnection> = [],
  ) {
    for (const connection of configured) {
      this.cache.set(connection.name, Promise.resolve(connection));
    }
  }

  get(name: string): Promise<ClusterConnection> {
    let connection = this.cache.get(name);
    if (!connection) {
      connection = this.describe(name);
      this.cache.set(name, connection);
      connection.catch(() => this.cache.delete(name));
    }
    return connection;
  }

  private async describe(name: string): Promise<ClusterConnection> {
    this.client ??= typeof this.eks === 'function' ? this.eks() : this.eks;
    const { cluster } = await this.client.send(new DescribeClusterCommand({ name }));
    const endpoint = cluster?.endpoint;
    const certificateAuthority = cluster?.certificateAuthority?.data;
    if (!endpoint || !certificateAuthority) {
      throw new Error(
        `EKS cluster ${name} has no endpoint or certificate authority yet (status ${cluster?.status})`,
      );
    }
    return { name, endpoint, certificateAuthority };
  }
}
