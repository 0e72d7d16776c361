import { createServer } from 'node:net';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { ClusterAccess } from '@tourniquet/core';

/**
 * The network between Tourniquet's functions and a cluster's API server, as the emulators play
 * it. A function outside any VPC reaches only the public endpoint, and from addresses no
 * publicAccessCidrs list can name; a function in the cluster's VPC reaches the private endpoint,
 * or the public one through the VPC's NAT. Read from EKS each time: an endpoint change made
 * during a replay (disable-public-endpoint) cuts off what it would cut off in AWS.
 */
export async function apiReachable(
  eks: EKSClient,
  cluster: string,
  access: ClusterAccess | undefined,
): Promise<boolean> {
  const { cluster: described } = await eks.send(new DescribeClusterCommand({ name: cluster }));
  const vpc = described?.resourcesVpcConfig;
  const publicOn = vpc?.endpointPublicAccess !== false;
  const privateOn = vpc?.endpointPrivateAccess === true;
  if (access?.mode === 'vpc') return privateOn || publicOn;
  const cidrs = vpc?.publicAccessCidrs ?? [];
  return publicOn && (cidrs.length === 0 || cidrs.includes('0.0.0.0/0'));
}

/**
 * A loopback address where nothing listens: connecting to it is refused, as a connection to an
 * endpoint the caller has no route to fails. The port is taken from the OS and released.
 */
export async function refusingEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string')
    throw new Error('no loopback port for the refusing endpoint');
  return `http://127.0.0.1:${address.port}`;
}
