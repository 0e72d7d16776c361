import { EKSClient } from '@aws-sdk/client-eks';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { ActionRuntime } from '@tourniquet/actions';
import { awsClientConfig, ClusterConnectionCache } from '@tourniquet/aws';
import type { TourniquetConfig } from '@tourniquet/core';
import { EksKubeConnector } from '@tourniquet/kube';
import { tracer } from './powertools';

/**
 * Kubernetes for an action's Lambda: one EKS connector per region, built on first use and kept
 * for the warm container. Only the entry points of actions that call Kubernetes import this
 * module, so the others bundle no Kubernetes client.
 */
export function eksKube(config: TourniquetConfig): ActionRuntime['kube'] {
  const connectors = new Map<string, EksKubeConnector>();
  const credentials = defaultProvider();
  return async (cluster) => {
    const region =
      config.clusters.find((c) => c.name === cluster)?.region ??
      process.env.AWS_REGION ??
      'us-east-1';
    let connector = connectors.get(region);
    if (!connector) {
      const eks = tracer.captureAWSv3Client(new EKSClient(awsClientConfig({ region })));
      connector = new EksKubeConnector(new ClusterConnectionCache(eks), region, credentials);
      connectors.set(region, connector);
    }
    return connector.adapterFor(cluster);
  };
}
