/** One API call as its caller saw it: `start` when it was issued, `end` when it settled. */
export interface RecordedTrip {
  name: string;
  /** Positions on the recorder's event clock, not times: only their order means anything. */
  start: number;
  end: number;
}

/** The middleware the recorder adds to an SDK client's stack (removed by `detach`). */
const MIDDLEWARE = 'roundTripRecorder';

/** What the recorder needs of an AWS SDK v3 client. */
interface SdkClient {
  middlewareStack: {
    add(
      middleware: unknown,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
    remove(name: string): boolean;
  };
}

/**
 * Counts sequential round trips: every call through an instrumented SDK client or adapter is
 * stamped when issued and when settled on one event clock, so a call issued after another
 * settled follows it and calls in flight together are parallel. The depth of the longest chain
 * is the number of round trips on the critical path, whatever each one costs: a structural
 * count, independent of how fast the emulators answer.
 */
export class RoundTripRecorder {
  private readonly recorded: RecordedTrip[] = [];
  private clock = 0;
  private readonly clients = new Set<SdkClient>();

  /** Every trip recorded since the last `clear`, in the order they were issued. */
  get trips(): readonly RecordedTrip[] {
    return [...this.recorded].sort((a, b) => a.start - b.start);
  }

  clear(): void {
    this.recorded.length = 0;
  }

  /**
   * Records each command the client sends, named `<prefix>:<Command>`. The middleware sits at the
   * start of the stack, so the SDK's own retries of one command count as one trip.
   */
  sdk<C extends object>(prefix: string, client: C): C {
    const sdk = client as unknown as SdkClient;
    sdk.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        (args: unknown) =>
          this.around(`${prefix}:${context.commandName ?? 'command'}`, () => next(args)),
      { step: 'initialize', name: MIDDLEWARE, override: true },
    );
    this.clients.add(sdk);
    return client;
  }

  /** A proxy recording every method call of an adapter (Kubernetes, the step journal) as a trip. */
  adapter<T extends object>(prefix: string, target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          this.around(`${prefix}:${String(property)}`, () => value.apply(object, args));
      },
    });
  }

  /** Takes the recorder's middleware out of every SDK client it was added to. */
  detach(): void {
    for (const client of this.clients) client.middlewareStack.remove(MIDDLEWARE);
    this.clients.clear();
  }

  /** The number of round trips on the critical path: the longest chain of calls, each issued after the previous settled. */
  depth(): number {
    return this.chain().length;
  }

  /** Round trips up to and including the first call `matches` names; null when none did. */
  depthOf(matches: (name: string) => boolean): number | null {
    const first = this.trips.find((t) => matches(t.name));
    return first ? this.depthOfTrip(first) : null;
  }

  /** Round trips up to and including this one. */
  depthOfTrip(trip: RecordedTrip): number {
    return this.chainTo(trip, new Map()).length;
  }

  /** The calls of the longest chain, in order (for messages that say which trips were sequential). */
  chain(): string[] {
    const memo = new Map<RecordedTrip, RecordedTrip[]>();
    let longest: RecordedTrip[] = [];
    for (const trip of this.recorded) {
      const chain = this.chainTo(trip, memo);
      if (chain.length > longest.length) longest = chain;
    }
    return longest.map((t) => t.name);
  }

  /** Names of the longest chain ending at the first call `matches` names. */
  chainOf(matches: (name: string) => boolean): string[] {
    const first = this.trips.find((t) => matches(t.name));
    return first ? this.chainTo(first, new Map()).map((t) => t.name) : [];
  }

  private chainTo(trip: RecordedTrip, memo: Map<RecordedTrip, RecordedTrip[]>): RecordedTrip[] {
    const known = memo.get(trip);
    if (known) return known;
    let before: RecordedTrip[] = [];
    for (const other of this.recorded) {
      if (other.end >= trip.start) continue;
      const chain = this.chainTo(other, memo);
      if (chain.length > before.length) before = chain;
    }
    const chain = [...before, trip];
    memo.set(trip, chain);
    return chain;
  }

  private async around<T>(name: string, call: () => Promise<T> | T): Promise<T> {
    const trip = { name, start: ++this.clock, end: Number.POSITIVE_INFINITY };
    this.recorded.push(trip);
    try {
      return await call();
    } finally {
      trip.end = ++this.clock;
    }
  }
}
