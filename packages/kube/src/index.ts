export { EksKubeConnector, type KubeConnector, StaticKubeConnector } from './eksKubeConnector';
export {
  isKubeStatus,
  KubeApiError,
  KubeRequestError,
  type KubeStatus,
} from './errors';
export { KubeAdapter, type MetadataPatch, type PolicyEndpoint } from './kubeAdapter';
export {
  connectionFromKubeConfig,
  type KubeConfigLike,
  type KubeConnection,
} from './kubeConnection';
export { apiPath, CONTENT_TYPE, type ContentType, KubeHttp, type KubeRequest } from './kubeHttp';
