import { readFileSync } from 'node:fs';

/** Where an API server is and how to authenticate to it. */
export interface KubeConnection {
  /** `https://<host>[:port]` (plain `http://` only for a local simulator). */
  server: string;
  /** Base64 PEM of the cluster CA, as EKS DescribeCluster returns it. */
  caData?: string;
  /** Bearer token (for EKS: a `k8s-aws-v1.` token from eksToken). */
  token: string;
  /** Accept any server certificate: only for local stand-ins, never for EKS. */
  skipTLSVerify?: boolean;
}

/**
 * The part of @kubernetes/client-node's KubeConfig this package reads. Structural, so a
 * KubeConfig built by the CLI or a test can be passed without this package importing the client.
 */
export interface KubeConfigLike {
  getCurrentCluster(): {
    name?: string;
    server: string;
    caData?: string;
    caFile?: string;
    skipTLSVerify?: boolean;
  } | null;
  getCurrentUser(): { name?: string; token?: string } | null;
}

export function isKubeConfigLike(value: KubeConnection | KubeConfigLike): value is KubeConfigLike {
  return typeof (value as KubeConfigLike).getCurrentCluster === 'function';
}

/** The connection a KubeConfig's current context names; only bearer-token users are supported. */
export function connectionFromKubeConfig(kubeConfig: KubeConfigLike): KubeConnection {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster (set current-context)');
  const user = kubeConfig.getCurrentUser();
  if (!user?.token) {
    throw new Error(
      `kubeconfig user ${user?.name ?? '(none)'} has no bearer token: Tourniquet authenticates with tokens only (no client certificates, exec or auth providers)`,
    );
  }
  const caData =
    cluster.caData ??
    (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return {
    server: cluster.server,
    token: user.token,
    ...(caData ? { caData } : {}),
    ...(cluster.skipTLSVerify ? { skipTLSVerify: true } : {}),
  };
}
