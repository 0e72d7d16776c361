/**
 * aws-local-stepfunctions uses Promise.withResolvers (Node ≥ 22); Lambda runs Node 22, this
 * repository also runs on Node 20, where it is missing. Same semantics as the standard.
 */
const promise = Promise as unknown as { withResolvers?: () => unknown };
if (typeof promise.withResolvers !== 'function') {
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

export {};
