/**
 * aws-local-stepfunctions uses Promise.withResolvers (Node ≥ 22); Lambda runs Node 22, this
 * repository also runs on Node 20, where it is missing. Same semantics as the standard. Supplied
 * on each run rather than once at import: the runtime is checked when the runner needs it.
 */
export function supplyWithResolvers(): void {
  const promise = Promise as unknown as { withResolvers?: () => unknown };
  if (typeof promise.withResolvers === 'function') return;
  promise.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const p = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: p, resolve, reject };
  };
}
