export { EksKubeConnector, type KubeConnector, StaticKubeConnector } from './eksKubeConnector';
export { isKubeStatus, KubeAdapter, type MetadataPatch, type PolicyEndpoint } from './kubeAdapter';
