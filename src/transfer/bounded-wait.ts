import type { DataConnectionError } from './data-connection-error.js';

/** How a {@link boundedWait} setup settles the wait: once, with a value or an error. */
export interface BoundedWaitSettle<T> {
  /** Succeeds with `value` (ignored once settled). */
  resolve(value: T): void;
  /** Fails with `error` after `discard` ran (ignored once settled). */
  fail(error: DataConnectionError): void;
}

/** Options of {@link boundedWait}. */
export interface BoundedWaitOptions {
  /** Fails with `onTimeout()` after this long. */
  readonly timeoutMs: number;
  /** The error when the time runs out. */
  readonly onTimeout: () => DataConnectionError;
  /** The error when `signal` aborts (also when it is already aborted). */
  readonly onAbort: (reason: unknown) => DataConnectionError;
  readonly signal?: AbortSignal | undefined;
  /** Runs on failure only, before the rejection (destroy the sockets). */
  readonly discard: () => void;
}

/**
 * Waits for one socket event with a deadline and an abort signal, settling exactly once and
 * leaving no timer or abort listener behind. `setup` attaches the listeners and returns the
 * function that detaches the success listener, run on every outcome. The connect and the TLS handshake of a data
 * connection both need this; only their events and errors differ.
 *
 * @internal Shared by the active connector and the data TLS wrapper; not re-exported.
 */
export function boundedWait<T>(options: BoundedWaitOptions, setup: (settle: BoundedWaitSettle<T>) => () => void): Promise<T> {
  const { timeoutMs, onTimeout, onAbort, signal, discard } = options;
  return new Promise<T>((resolve, reject) => {
    // An object, not two lets: the callbacks below change it, which narrowing does not see.
    const state: { settled: boolean; detach: (() => void) | undefined } = { settled: false, detach: undefined };
    const finish = (outcome: { readonly value: T } | { readonly error: DataConnectionError }): void => {
      if (state.settled) return;
      state.settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      state.detach?.();
      if ('value' in outcome) {
        resolve(outcome.value);
        return;
      }
      discard();
      reject(outcome.error);
    };
    const abort = (): void => {
      finish({ error: onAbort(signal?.reason) });
    };
    const timer = setTimeout(() => {
      finish({ error: onTimeout() });
    }, timeoutMs);
    // A pending data connection must not keep the process alive on its own.
    timer.unref();
    const detach = setup({
      resolve: (value) => {
        finish({ value });
      },
      fail: (error) => {
        finish({ error });
      },
    });
    if (state.settled) detach();
    else state.detach = detach;
    if (signal?.aborted === true) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}
