import type { V1NetworkPolicy } from '@kubernetes/client-node';
import type { KubeObject } from '@tourniquet/testkit';

export const NODE_NAME = 'ip-10-0-1-23.ec2.internal';
export const INSTANCE_ID = 'i-0a1b2c3d4e5f60718';
export const POD = { namespace: 'shop', name: 'web-7d4b9c-x2x9q' } as const;

/** A small cluster: one node, two pods on it, a service account, and an enforcing VPC CNI. */
export function kubeSeed(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: NODE_NAME },
      spec: { providerID: `aws:///us-east-1a/${INSTANCE_ID}` },
      status: { addresses: [{ type: 'InternalIP', address: '10.0.1.23' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'ip-10-0-2-40.ec2.internal' },
      spec: { providerID: 'aws:///us-east-1b/i-0fedcba9876543210' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...POD, labels: { app: 'web' } },
      spec: {
        nodeName: NODE_NAME,
        serviceAccountName: 'web',
        containers: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27' }],
      },
      status: { phase: 'Running', podIP: '10.0.1.57' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'monitoring', name: 'node-exporter-8kq2p' },
      spec: {
        nodeName: NODE_NAME,
        containers: [{ name: 'exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        namespace: 'shop',
        name: 'web',
        annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop-web' },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'aws-node', namespace: 'kube-system', labels: { 'k8s-app': 'aws-node' } },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'aws-node' } },
        template: {
          metadata: { labels: { 'k8s-app': 'aws-node' } },
          spec: {
            containers: [
              { name: 'aws-node', image: 'amazon-k8s-cni:v1.19.6' },
              {
                name: 'aws-network-policy-agent',
                image: 'aws-network-policy-agent:v1.2.2',
                args: ['--enable-network-policy=true'],
              },
            ],
          },
        },
      },
    },
  ];
}

/** The deny-all policy isolate-pod writes, selecting the pod by its incident label. */
export function denyAll(name = 'tourniquet-isolate-web'): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name,
      namespace: POD.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'tourniquet' },
    },
    spec: {
      podSelector: { matchLabels: { 'tourniquet.io/incident': 'inc-1' } },
      policyTypes: ['Ingress', 'Egress'],
    },
  };
}
