/** One API call an action made, as the bench recorded it (ms on one clock). */
export interface TimedCall {
  name: string;
  start: number;
  end: number;
}

/**
 * Sequential round trips on the critical path: the longest chain of calls in which each starts
 * after the previous one ended. Calls that overlap in time were issued in parallel and count
 * once; a call that waits for another's answer adds a trip.
 */
export function tripDepth(calls: readonly TimedCall[]): number {
  return chainOf(calls, () => 1).length;
}

/** The calls of the longest chain (by `weight`), in order. */
export function chainOf<C extends TimedCall>(
  calls: readonly C[],
  weight: (call: C) => number,
): C[] {
  const sorted = [...calls].sort((a, b) => a.end - b.end);
  const best = new Map<C, { total: number; previous: C | null }>();
  for (const call of sorted) {
    let before: { total: number; previous: C | null } = { total: 0, previous: null };
    for (const other of sorted) {
      const b = best.get(other);
      if (other.end <= call.start && b && b.total > before.total)
        before = { total: b.total, previous: other };
    }
    best.set(call, { total: before.total + weight(call), previous: before.previous });
  }
  let last: C | null = null;
  for (const [call, b] of best) if (!last || b.total > (best.get(last)?.total ?? 0)) last = call;
  const chain: C[] = [];
  for (let c = last; c; c = best.get(c)?.previous ?? null) chain.unshift(c);
  return chain;
}
