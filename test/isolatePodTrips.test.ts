import { beforeAll, describe, expect, it } from 'vitest';
import { type IsolateTrips, isolatePodTrips } from '../bench/isolateTrips';

/**
 * A structural count, not a timing: each call is stamped when issued and when settled, and a
 * call issued after another settled is one more round trip. The floor to the swap is four: the
 * pod (with everything that does not need it), its branch ENI, the journal entry recorded before
 * any change, the swap's first call.
 */
interface Trip {
  name: string;
  start: number;
  end: number;
}

/** Longest chain of calls, each issued after the previous one settled, ending at `name`. */
function chainTo(trips: readonly Trip[], name: string): number {
  const depth = new Map<Trip, number>();
  const of = (trip: Trip): number => {
    const known = depth.get(trip);
    if (known !== undefined) return known;
    const before = trips.filter((t) => t.end < trip.start).map(of);
    const value = 1 + Math.max(0, ...before);
    depth.set(trip, value);
    return value;
  };
  const target = trips.find((t) => t.name === name);
  return target ? of(target) : Number.NaN;
}

describe('isolate-pod: sequential round trips to the security-group swap', () => {
  let trips: IsolateTrips;
  beforeAll(async () => {
    trips = await isolatePodTrips();
  });

  it('cold: the reachability check, the allow-all group and the pod are read at once, so the swap is the fourth trip', () => {
    expect(trips.cold.toSwap, trips.cold.chain.join(' → ')).toBe(4);
    expect(trips.cold.chain.slice(1)).toEqual([
      'ec2:DescribeNetworkInterfacesCommand',
      'journal:record',
      'ec2:ModifyNetworkInterfaceAttributeCommand',
    ]);
  });

  it('warm: the swap is the fourth trip as well', () => {
    expect(trips.warm.toSwap, trips.warm.chain.join(' → ')).toBe(4);
  });

  it("the VPC's first containment creates the allow-all group and adds its two rules at once", () => {
    const named = (name: string) => trips.firstInVpc.trips.filter((t) => t.name === `ec2:${name}`);
    const [ingress] = named('AuthorizeSecurityGroupIngressCommand');
    const [egress] = named('AuthorizeSecurityGroupEgressCommand');
    expect(named('CreateSecurityGroupCommand')).toHaveLength(1);
    // In flight together: each was issued before the other settled.
    expect(ingress?.start).toBeLessThan(egress?.end ?? 0);
    expect(egress?.start).toBeLessThan(ingress?.end ?? 0);
    // The lookup made while the pod was read said it is missing: no second one before creating it.
    const swap = named('ModifyNetworkInterfaceAttributeCommand')[0]?.start ?? 0;
    expect(named('DescribeSecurityGroupsCommand').filter((t) => t.start < swap)).toHaveLength(1);
    // The Kubernetes calls made after the journal entry go out beside the group's creation and
    // do not gate the swap; when they happen to settle first, the issue-after-settle rule would
    // chain them in. Without them the chain to the swap is six.
    const journal = trips.firstInVpc.trips.find((t) => t.name === 'journal:record');
    const gating = trips.firstInVpc.trips.filter(
      (t) => !(t.name.startsWith('kube:') && t.start > (journal?.end ?? 0)),
    );
    expect(chainTo(gating, 'ec2:ModifyNetworkInterfaceAttributeCommand')).toBe(6);
    expect(trips.firstInVpc.toSwap).toBeGreaterThanOrEqual(6);
  });
});
