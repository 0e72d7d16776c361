import { EKSClient } from '@aws-sdk/client-eks';
import type { ActionRuntime } from '@tourniquet/actions';
import { awsClientConfig, type ClusterConnection, ClusterConnectionCache } from '@tourniquet/aws';
import type { TourniquetConfig } from '@tourniquet/core';
import { EksKubeConnector } from '@tourniquet/kube';
import { bounded, functionIdentities } from './memberRuntime';
import { tracer } from './powertools';

/**
 * Kubernetes for an action's Lambda: one EKS connector per region (and member session), built on
 * first use and kept for the warm container. Only the entry points of actions that call
 * Kubernetes import this module, so the others bundle no Kubernetes client. A cluster whose
 * endpoint and CA the config gives is reached without DescribeCluster; the others are described
 * once per container.
 */
export function eksKube(config: TourniquetConfig): ActionRuntime['kube'] {
  const connectors = new Map<string, EksKubeConnector>();
  const { credentials, members, placeOf } = functionIdentities();
  return async (cluster, member) => {
    const region =
      config.clusters.find((c) => c.name === cluster && (!member || c.account === member.account))
        ?.region ??
      process.env.AWS_REGION ??
      'us-east-1';
    const connector = bounded(connectors, placeOf(region, member), () => {
      const identity = member ? members.provider(member) : credentials;
      const eks = () =>
        tracer.captureAWSv3Client(
          new EKSClient({ ...awsClientConfig({ region }), credentials: identity }),
        );
      return new EksKubeConnector(
        new ClusterConnectionCache(eks, configuredConnections(config, region, member?.account)),
        region,
        identity,
      );
    });
    return connector.adapterFor(cluster);
  };
}

/**
 * The config's endpoints and CAs of the clusters in one region: the member's clusters for a
 * member session, else the hub's own (clusters of no listed member account).
 */
function configuredConnections(
  config: TourniquetConfig,
  region: string,
  member: string | undefined,
): ClusterConnection[] {
  const inPlace = (account: string) =>
    member ? account === member : !(config.accounts && Object.hasOwn(config.accounts, account));
  return config.clusters.flatMap((c) =>
    c.region === region && inPlace(c.account) && c.endpoint && c.certificateAuthority
      ? [{ name: c.name, endpoint: c.endpoint, certificateAuthority: c.certificateAuthority }]
      : [],
  );
}
