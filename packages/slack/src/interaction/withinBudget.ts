/**
 * Waits for `work` at most `ms`. A Function URL answers when the handler returns, so follow-up
 * Slack calls share the time left before Slack's 3-second limit; what does not finish in time is
 * reported, not awaited.
 */
export async function withinBudget(
  work: Promise<unknown>,
  ms: number,
): Promise<'done' | 'timed-out' | Error> {
  if (ms <= 0) {
    work.catch(() => {});
    return 'timed-out';
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => 'done' as const,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
