import type { KubeObject } from './kubeObjects';
import type { ScenarioCluster } from './scenario';

const ECR = (region: string) => `602401143452.dkr.ecr.${region}.amazonaws.com`;

function daemonSet(name: string, labels: Record<string, string>, podSpec: object): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: { 'k8s-app': name } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: { metadata: { labels: { 'k8s-app': name } }, spec: podSpec },
    },
  };
}

/**
 * The aws-node DaemonSet of the EKS VPC CNI add-on: the `aws-node` container (its env carries
 * ENABLE_POD_ENI and POD_SECURITY_GROUP_ENFORCING_MODE) and the `aws-network-policy-agent`
 * container, present since v1.14 but enforcing only with `--enable-network-policy=true`.
 */
function awsNode(cluster: ScenarioCluster): KubeObject {
  const sgp = cluster.pods.some((p) => p.securityGroups && !p.hostNetwork);
  return daemonSet(
    'aws-node',
    {
      'app.kubernetes.io/name': 'aws-node',
      'app.kubernetes.io/instance': 'aws-vpc-cni',
      'k8s-app': 'aws-node',
    },
    {
      serviceAccountName: 'aws-node',
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      initContainers: [
        { name: 'aws-vpc-cni-init', image: `${ECR(cluster.region)}/amazon-k8s-cni-init:v1.19.6` },
      ],
      containers: [
        {
          name: 'aws-node',
          image: `${ECR(cluster.region)}/amazon-k8s-cni:v1.19.6`,
          env: [
            { name: 'AWS_VPC_K8S_CNI_EXTERNALSNAT', value: 'false' },
            { name: 'ENABLE_IPv4', value: 'true' },
            { name: 'ENABLE_IPv6', value: 'false' },
            { name: 'ENABLE_POD_ENI', value: String(sgp) },
            { name: 'POD_SECURITY_GROUP_ENFORCING_MODE', value: cluster.sgpMode },
            { name: 'VPC_ID', value: cluster.vpc.id },
          ],
        },
        {
          name: 'aws-network-policy-agent',
          image: `${ECR(cluster.region)}/amazon/aws-network-policy-agent:v1.2.2`,
          args: [
            '--enable-ipv6=false',
            `--enable-network-policy=${cluster.networkPolicyEnforcer === 'vpc-cni'}`,
            '--enable-cloudwatch-logs=false',
            '--enable-policy-event-logs=false',
            '--metrics-bind-addr=:8162',
            '--health-probe-bind-addr=:8163',
          ],
        },
      ],
    },
  );
}

/** kube-system DaemonSets of the cluster's CNI and network policy engine. */
export function cniDaemonSets(cluster: ScenarioCluster): KubeObject[] {
  const objects = [awsNode(cluster)];
  if (cluster.networkPolicyEnforcer === 'calico') {
    objects.push(
      daemonSet(
        'calico-node',
        { 'k8s-app': 'calico-node' },
        {
          serviceAccountName: 'calico-node',
          hostNetwork: true,
          containers: [{ name: 'calico-node', image: 'quay.io/calico/node:v3.28.2' }],
        },
      ),
    );
  }
  if (cluster.networkPolicyEnforcer === 'cilium') {
    objects.push(
      daemonSet(
        'cilium',
        { 'k8s-app': 'cilium', 'app.kubernetes.io/name': 'cilium-agent' },
        {
          serviceAccountName: 'cilium',
          hostNetwork: true,
          containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.3' }],
        },
      ),
    );
  }
  return objects;
}
