import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionRuntime, getAction, runActionRequestWith } from '@tourniquet/actions';
import { type RecordedTrip, RoundTripRecorder } from '@tourniquet/actions/testkit';
import { type AwsClients, createAwsClients } from '@tourniquet/aws';
import { parseConfig } from '@tourniquet/core';
import { LOCAL_CREDENTIALS, LocalWorld } from '@tourniquet/testkit';
import { REPO_ROOT } from '../test/helpers/events';
import type { BenchRow } from './stats';

const CLUSTER = 'prod-eks-01';
const POD = {
  kind: 'pod',
  namespace: 'payments',
  name: 'payments-api-7d9f8b6c5-x2kqp',
  uid: '5f0c2a8e-3b7d-4c1a-9e2f-6d8b1a0c4e7f',
} as const;

/** The swap's calls: the first moves the pod's branch ENI onto the allow-all group. */
const SWAP = 'ec2:ModifyNetworkInterfaceAttributeCommand';

/** One isolate-pod request, counted in sequential round trips. */
export interface TripCount {
  /** Round trips until the security-group swap starts (that call included). */
  toSwap: number;
  /** The calls of a longest chain that reaches the swap, in order (one of them, on a tie). */
  chain: string[];
  /** Every call of the request, in the order they were issued. */
  trips: readonly RecordedTrip[];
}

export interface IsolateTrips {
  /** A new Lambda container: new clients, nothing looked up yet. */
  cold: TripCount;
  /** The same container's next incident: its clients and what they looked up are kept. */
  warm: TripCount;
  /** A cold start on the VPC's first containment, when the allow-all group is still missing. */
  firstInVpc: TripCount;
}

/**
 * isolate-pod's sequential round trips to the security-group swap, cold and warm, against moto
 * and the Kubernetes simulator: an apply request as its Lambda runs it from outside the
 * cluster's VPC (the endpoint reachability check included), counting every EC2, EKS, Kubernetes
 * and journal call. The first containment in the VPC (which creates the allow-all group) is
 * counted separately: the deployment creates the group, so it is rare. The
 * Kubernetes connection itself (endpoint, CA, token) is made beforehand: it is the connector's
 * own cost. The VPC's allow-all group exists, as the deployment creates it. Starts its own local
 * world (default scenario) unless given one.
 */
export async function isolatePodTrips(given?: LocalWorld): Promise<IsolateTrips> {
  const world = given ?? (await LocalWorld.start({ config: localConfig() }));
  try {
    const fresh = () =>
      createAwsClients(regionOf(world), {
        endpoint: world.moto.endpoint,
        credentials: LOCAL_CREDENTIALS,
      });
    // The first containment in the VPC creates the allow-all group (a deployment creates it).
    const firstInVpc = await isolate(world, fresh(), 'trips:first', new RoundTripRecorder());
    const container = fresh();
    const cold = await isolate(world, container, 'trips:cold', new RoundTripRecorder());
    const warm = await isolate(world, container, 'trips:warm', new RoundTripRecorder());
    return { cold, warm, firstInVpc };
  } finally {
    if (!given) await world.stop();
  }
}

/** The counts as bench rows: `isolate-pod trips cold`, `… warm`, `… first in a VPC`. */
export async function isolatePodTripRows(given?: LocalWorld): Promise<BenchRow[]> {
  const { cold, warm, firstInVpc } = await isolatePodTrips(given);
  const row = (name: string, count: TripCount, target?: string): BenchRow => ({
    name: `isolate-pod trips ${name}`,
    value: count.toSwap,
    unit: 'trips',
    ...(target ? { target } : {}),
    note: `to the security-group swap: ${count.chain.join(' → ')}`,
  });
  return [row('cold', cold, '≤ 4'), row('warm', warm, '≤ 4'), row('first in a VPC', firstInVpc)];
}

/**
 * Runs an isolate-pod apply request on the scenario's pod with these clients, counting its round
 * trips, then releases the pod again.
 */
export async function isolate(
  world: LocalWorld,
  aws: AwsClients,
  incidentKey: string,
  recorder: RoundTripRecorder,
): Promise<TripCount> {
  const kube = await world.context({ incidentKey, clusterName: CLUSTER }).kube();
  const runtime: ActionRuntime = {
    config: outsideVpc(world),
    aws: () => ({ ...aws, ec2: recorder.sdk('ec2', aws.ec2), eks: recorder.sdk('eks', aws.eks) }),
    journal: recorder.adapter('journal', world.journal),
    kube: async () => recorder.adapter('kube', kube),
  };
  const request = {
    incidentKey,
    action: 'isolate-pod',
    target: POD,
    finding: { cluster: CLUSTER, region: regionOf(world), lastSeen: new Date().toISOString() },
  };
  try {
    const outcome = await runActionRequestWith(request, runtime, getAction);
    if (outcome.status !== 'applied') {
      throw new Error(`isolate-pod did not apply: ${outcome.status}: ${outcome.detail}`);
    }
  } finally {
    recorder.detach();
  }
  const count: TripCount = {
    toSwap: recorder.depthOf((name) => name === SWAP) ?? Number.NaN,
    chain: recorder.chainOf((name) => name === SWAP),
    trips: recorder.trips,
  };
  const plain: ActionRuntime = { ...runtime, aws: () => aws, journal: world.journal };
  await runActionRequestWith({ ...request, mode: 'undo' }, plain, getAction);
  return count;
}

/**
 * The world's config with the cluster reached as the sample config deploys it: from functions
 * outside any VPC, which check the endpoint is reachable (DescribeCluster) before Kubernetes.
 */
function outsideVpc(world: LocalWorld): ActionRuntime['config'] {
  const clusters = world.config.clusters.map(({ access: _inVpc, ...cluster }) =>
    cluster.name === CLUSTER ? cluster : { ...cluster, ...(_inVpc ? { access: _inVpc } : {}) },
  );
  return { ...world.config, clusters };
}

function regionOf(world: LocalWorld): string {
  return world.config.clusters.find((c) => c.name === CLUSTER)?.region ?? 'us-east-1';
}

function localConfig() {
  return parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'tourniquet.config.json'), 'utf8')));
}
