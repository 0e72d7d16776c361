import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';

export interface ClusterConnection {
  name: string;
  endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  certificateAuthority: string;
}

/**
 * DescribeCluster once per cluster per warm Lambda: endpoint and CA do not change for the life
 * of a cluster, and the call would otherwise sit on every action's critical path.
 */
export class ClusterConnectionCache {
  private readonly cache = new Map<string, Promise<ClusterConnection>>();

  constructor(private readonly eks: EKSClient) {}

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
    const { cluster } = await this.eks.send(new DescribeClusterCommand({ name }));
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
