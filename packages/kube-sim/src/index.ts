export { type KubeSimulator, type KubeSimulatorOptions, startKubeSimulator } from './kubeSimulator';
