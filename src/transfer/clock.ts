/**
 * Time as servers and sessions see it: the current time and one-shot timers. Injected (the
 * `clock` option of `createServer`) so that timeouts, bans and rate limits can be tested by
 * moving time forward instead of waiting; {@link systemClock} is the real one.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences are used). */
  now(): number;
  /**
   * Calls `callback` once, `ms` milliseconds from now, and returns a function that cancels
   * it. The timer must not keep the process alive.
   */
  schedule(callback: () => void, ms: number): () => void;
}

/** The real clock: `performance.now()` and unreferenced `setTimeout`s. */
export const systemClock: Clock = Object.freeze({
  now: (): number => performance.now(),
  schedule(callback: () => void, ms: number): () => void {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
});

/**
 * Resolves after `ms` on `clock`; rejects with the signal's reason when it is aborted first.
 *
 * @example
 * ```ts
 * await sleep(systemClock, 1000, { signal });
 * ```
 */
export function sleep(clock: Clock, ms: number, options: { readonly signal?: AbortSignal | undefined } = {}): Promise<void> {
  const { signal } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason as Error);
    };
    const cancel = clock.schedule(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
